package dev.visionserve.system;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code visionserve.security.*} settings; see {@code docs/security.md}. Both sources
 * may be given: the keys are their union. Neither (the default): no key is required.
 *
 * @param apiKeys API keys clients may present
 * @param apiKeysFile a file with one API key per line (e.g. a mounted Kubernetes Secret),
 * read at startup; startup fails when it cannot be read or holds no key
 */
@ConfigurationProperties("visionserve.security")
public record WebSecurityProperties(@DefaultValue List<String> apiKeys, Path apiKeysFile) {

	@Override
	public String toString() {
		// Never the keys: this record may end up in a log or a failure analysis.
		return "WebSecurityProperties[apiKeys=" + this.apiKeys.size() + " keys, apiKeysFile=" + this.apiKeysFile + "]";
	}

}
