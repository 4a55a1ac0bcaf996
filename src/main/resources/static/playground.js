// VisionServe playground: classify an image, generate one with live progress, check it with the classifier.
// Plain JavaScript, no build step, no external resources. URLs are relative so the page also works under a
// context path or behind a proxy prefix.
'use strict';

(() => {
	const $ = (id) => document.getElementById(id);

	const ui = {
		modelsStatus: $('models-status'),
		apiKeyForm: $('api-key-form'),
		apiKeyInput: $('api-key-input'),
		classifierSelect: $('classifier-select'),
		dropZone: $('drop-zone'),
		fileInput: $('file-input'),
		inputImage: $('input-image'),
		classifyStatus: $('classify-status'),
		predictions: $('predictions'),
		form: $('generate-form'),
		denoiserSelect: $('denoiser-select'),
		labelSelect: $('label-select'),
		samplerSelect: $('sampler-select'),
		stepsInput: $('steps-input'),
		guidanceInput: $('guidance-input'),
		seedInput: $('seed-input'),
		previewEveryInput: $('preview-every-input'),
		generateButton: $('generate-button'),
		stopButton: $('stop-button'),
		progress: $('progress'),
		progressText: $('progress-text'),
		generateStatus: $('generate-status'),
		previews: $('previews'),
		result: $('result'),
		resultImage: $('result-image'),
		resultCaption: $('result-caption'),
		checkButton: $('check-button'),
		checkStatus: $('check-status'),
		checkResult: $('check-result'),
	};

	/** Where the API key lives when the service asks for one: this tab only, gone when it closes. */
	const API_KEY = 'visionserve.apiKey';

	/** Models as GET /models lists them, by name. */
	let models = new Map();
	/** The last generated image: its PNG bytes and the label asked for. */
	let generated = null;
	/** Aborts the running generation (hanging up makes the server cancel the job). */
	let running = null;

	// ---- Models -------------------------------------------------------------------------------------------

	async function loadModels() {
		let list;
		try {
			list = await fetchJson('models');
		}
		catch (error) {
			ui.modelsStatus.textContent = 'Cannot list the models: ' + error.message;
			// Without a (valid) key, retrying cannot help: wait for one.
			if (error.status !== 401) {
				setTimeout(loadModels, 2000);
			}
			return;
		}
		models = new Map(list.map((model) => [model.name, model]));
		const loading = list.filter((model) => model.state === 'LOADING').map((model) => model.name);
		const failed = list.filter((model) => model.state === 'FAILED');
		fillModelSelect(ui.classifierSelect, list, 'classifier');
		fillModelSelect(ui.denoiserSelect, list, 'denoiser');
		fillLabels();
		const notes = [];
		if (loading.length) {
			notes.push('Still loading: ' + loading.join(', ') + '…');
			setTimeout(loadModels, 1000);
		}
		failed.forEach((model) => notes.push(model.name + ' failed: ' + model.reason));
		ui.modelsStatus.textContent = notes.join(' ');
		ui.modelsStatus.hidden = notes.length === 0;
	}

	function fillModelSelect(select, list, kind) {
		const previous = select.value;
		select.replaceChildren();
		list.filter((model) => model.kind === kind && model.state === 'READY').forEach((model) => {
			select.append(new Option(model.name, model.name, false, model.name === previous));
		});
		select.disabled = select.options.length === 0;
	}

	function fillLabels() {
		const model = models.get(ui.denoiserSelect.value);
		const previous = ui.labelSelect.value;
		ui.labelSelect.replaceChildren(new Option('(unconditional)', ''));
		((model && model.labels) || []).forEach((label) => {
			ui.labelSelect.append(new Option(label, label, false, label === previous));
		});
		if (!previous && ui.labelSelect.options.length > 1) {
			ui.labelSelect.selectedIndex = 1;
		}
		ui.generateButton.disabled = !model || running !== null;
	}

	// ---- Classify -----------------------------------------------------------------------------------------

	ui.fileInput.addEventListener('change', () => {
		if (ui.fileInput.files.length) {
			classifyFile(ui.fileInput.files[0]);
		}
	});

	['dragenter', 'dragover'].forEach((type) => ui.dropZone.addEventListener(type, (event) => {
		event.preventDefault();
		ui.dropZone.classList.add('dragging');
	}));
	['dragleave', 'drop'].forEach((type) => ui.dropZone.addEventListener(type, () => {
		ui.dropZone.classList.remove('dragging');
	}));
	ui.dropZone.addEventListener('drop', (event) => {
		event.preventDefault();
		const file = event.dataTransfer && event.dataTransfer.files[0];
		if (file) {
			classifyFile(file);
		}
	});

	async function classifyFile(file) {
		showImage(ui.inputImage, file);
		ui.predictions.replaceChildren();
		ui.classifyStatus.textContent = 'Classifying ' + file.name + '…';
		try {
			const answer = await classify(file, file.name, ui.classifierSelect.value);
			renderPredictions(ui.predictions, answer.results[0].predictions);
			ui.classifyStatus.textContent = answer.model + ': ' + describeTop(answer.results[0].predictions);
		}
		catch (error) {
			ui.classifyStatus.textContent = error.message;
		}
	}

	/** POST /classify with one multipart image part; resolves to the JSON answer. */
	async function classify(blob, filename, model) {
		const body = new FormData();
		body.append('image', blob, filename);
		const query = new URLSearchParams({ topK: '5' });
		if (model) {
			query.set('model', model);
		}
		return fetchJson('classify?' + query, { method: 'POST', body });
	}

	function renderPredictions(list, predictions) {
		list.replaceChildren(...predictions.map((prediction) => {
			const item = document.createElement('li');
			item.className = 'prediction';
			item.dataset.label = prediction.label;
			item.dataset.index = prediction.index;
			const percent = (prediction.probability * 100).toFixed(1) + '%';
			const name = document.createElement('span');
			name.className = 'prediction-label';
			name.textContent = prediction.label;
			const bar = document.createElement('span');
			bar.className = 'bar';
			bar.setAttribute('aria-hidden', 'true');
			const fill = document.createElement('span');
			fill.className = 'bar-fill';
			fill.style.width = Math.max(prediction.probability * 100, 0.5) + '%';
			bar.append(fill);
			const value = document.createElement('span');
			value.className = 'prediction-value';
			value.textContent = percent;
			item.append(name, bar, value);
			return item;
		}));
	}

	function describeTop(predictions) {
		const top = predictions[0];
		return top ? top.label + ' (' + (top.probability * 100).toFixed(1) + '%)' : 'no classes';
	}

	// ---- Generate -----------------------------------------------------------------------------------------

	ui.denoiserSelect.addEventListener('change', fillLabels);

	ui.form.addEventListener('submit', (event) => {
		event.preventDefault();
		if (running === null) {
			generate();
		}
	});

	ui.stopButton.addEventListener('click', () => {
		if (running !== null) {
			running.abort();
		}
	});

	async function generate() {
		const request = {
			model: ui.denoiserSelect.value || undefined,
			label: ui.labelSelect.value || undefined,
			sampler: ui.samplerSelect.value,
			steps: integer(ui.stepsInput.value),
			guidanceScale: Number(ui.guidanceInput.value),
			seed: ui.seedInput.value === '' ? undefined : integer(ui.seedInput.value),
			previewEvery: integer(ui.previewEveryInput.value),
		};
		running = new AbortController();
		setRunning(true);
		generated = null;
		ui.previews.replaceChildren();
		ui.result.hidden = true;
		ui.checkResult.replaceChildren();
		ui.checkStatus.textContent = '';
		setProgress(0, request.steps || 1, 0);
		ui.generateStatus.textContent = 'Generating' + (request.label ? ' ' + request.label : '') + '…';
		try {
			const response = await fetch('generate', {
				method: 'POST',
				headers: withApiKey({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
				body: JSON.stringify(request),
				signal: running.signal,
			});
			if (!response.ok) {
				throw await problem(response);
			}
			let finished = false;
			await readEvents(response, (name, data) => {
				if (name === 'progress') {
					setProgress(data.step, data.totalSteps, data.elapsed);
				}
				else if (name === 'preview') {
					addPreview(data.step, data.images[0]);
				}
				else if (name === 'result') {
					finished = true;
					showResult(data, request.label);
				}
				else if (name === 'error') {
					finished = true;
					throw new Error(data.detail || 'The generation failed');
				}
			});
			if (!finished) {
				throw new Error('The stream ended without a result');
			}
		}
		catch (error) {
			ui.generateStatus.textContent = error.name === 'AbortError' ? 'Stopped.' : error.message;
		}
		finally {
			running = null;
			setRunning(false);
		}
	}

	/** Reads a text/event-stream body, calling onEvent(name, parsed JSON data) per event. */
	async function readEvents(response, onEvent) {
		const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
		let buffer = '';
		for (;;) {
			const { value, done } = await reader.read();
			if (done) {
				break;
			}
			buffer += value.replace(/\r\n?/g, '\n');
			let end;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				dispatch(block, onEvent);
			}
		}
		if (buffer.trim()) {
			dispatch(buffer, onEvent);
		}
	}

	function dispatch(block, onEvent) {
		let name = 'message';
		const data = [];
		block.split('\n').forEach((line) => {
			const colon = line.indexOf(':');
			if (colon <= 0) {
				return; // a comment (":…") or a line without a field
			}
			const field = line.slice(0, colon);
			const value = line.slice(colon + 1).replace(/^ /, '');
			if (field === 'event') {
				name = value;
			}
			else if (field === 'data') {
				data.push(value);
			}
		});
		if (data.length) {
			onEvent(name, JSON.parse(data.join('\n')));
		}
	}

	function setProgress(step, total, elapsedMillis) {
		ui.progress.max = total;
		ui.progress.value = step;
		const seconds = (elapsedMillis / 1000).toFixed(1);
		ui.progressText.textContent = step === 0 ? 'Waiting…'
				: 'Step ' + step + ' / ' + total + ' · ' + Math.round((100 * step) / total) + '% · ' + seconds + ' s';
	}

	function addPreview(step, png) {
		const item = document.createElement('li');
		item.className = 'preview';
		const image = document.createElement('img');
		image.className = 'pixelated';
		image.src = 'data:image/png;base64,' + png;
		image.alt = 'Predicted image at step ' + step;
		image.width = 56;
		image.height = 56;
		const caption = document.createElement('span');
		caption.textContent = 'step ' + step;
		item.append(image, caption);
		ui.previews.append(item);
	}

	function showResult(answer, label) {
		const image = answer.images[0];
		generated = { png: base64ToBytes(image.png), label };
		ui.resultImage.src = 'data:image/png;base64,' + image.png;
		ui.resultImage.alt = 'Generated image' + (label ? ' of class ' + label : '') + ', seed ' + image.seed;
		ui.resultCaption.textContent = (label || 'unconditional') + ' · ' + answer.sampler + ' · ' + answer.steps
				+ ' steps · seed ' + image.seed;
		ui.result.hidden = false;
		ui.generateStatus.textContent = 'Done: ' + answer.model + ', seed ' + image.seed + '.';
	}

	function setRunning(on) {
		ui.generateButton.disabled = on || !ui.denoiserSelect.value;
		ui.stopButton.disabled = !on;
		ui.checkButton.disabled = on || generated === null;
		ui.form.setAttribute('aria-busy', String(on));
	}

	// ---- Check it -----------------------------------------------------------------------------------------

	ui.checkButton.addEventListener('click', async () => {
		if (generated === null) {
			return;
		}
		ui.checkStatus.textContent = 'Classifying the generated image…';
		ui.checkResult.replaceChildren();
		try {
			const blob = new Blob([generated.png], { type: 'image/png' });
			const answer = await classify(blob, 'generated.png', ui.classifierSelect.value);
			const predictions = answer.results[0].predictions;
			renderPredictions(ui.checkResult, predictions);
			const top = predictions[0];
			let verdict = answer.model + ' sees ' + describeTop(predictions);
			if (generated.label) {
				verdict += top && top.label === generated.label ? ': it matches the class asked for.'
						: ': not the ' + generated.label + ' asked for.';
			}
			ui.checkStatus.textContent = verdict;
		}
		catch (error) {
			ui.checkStatus.textContent = error.message;
		}
	});

	// ---- Helpers ------------------------------------------------------------------------------------------

	async function fetchJson(url, options = {}) {
		const response = await fetch(url, { ...options, headers: withApiKey(options.headers) });
		if (!response.ok) {
			throw await problem(response);
		}
		return response.json();
	}

	/** The request headers plus X-API-Key when the user gave a key. */
	function withApiKey(headers = {}) {
		const key = sessionStorage.getItem(API_KEY);
		return key ? { ...headers, 'X-API-Key': key } : headers;
	}

	ui.apiKeyForm.addEventListener('submit', (event) => {
		event.preventDefault();
		sessionStorage.setItem(API_KEY, ui.apiKeyInput.value.trim());
		ui.apiKeyInput.value = '';
		ui.apiKeyForm.hidden = true;
		ui.modelsStatus.textContent = 'Loading the models…';
		loadModels();
	});

	/**
	 * An Error from an RFC 9457 problem body: its detail and code, else the status. A 401 asks the user for a
	 * key.
	 */
	async function problem(response) {
		if (response.status === 401) {
			ui.apiKeyForm.hidden = false;
		}
		let detail = 'HTTP ' + response.status;
		try {
			const body = await response.json();
			detail = (body.detail || body.title || detail) + (body.code ? ' (' + body.code + ')' : '');
		}
		catch (ignored) {
			// not JSON: keep the status
		}
		const error = new Error(detail);
		error.status = response.status;
		return error;
	}

	function showImage(image, blob) {
		if (image.dataset.url) {
			URL.revokeObjectURL(image.dataset.url);
		}
		image.dataset.url = URL.createObjectURL(blob);
		image.src = image.dataset.url;
		image.hidden = false;
	}

	function base64ToBytes(base64) {
		const text = atob(base64);
		const bytes = new Uint8Array(text.length);
		for (let i = 0; i < text.length; i++) {
			bytes[i] = text.charCodeAt(i);
		}
		return bytes;
	}

	function integer(text) {
		return text === '' ? undefined : Math.trunc(Number(text));
	}

	ui.generateButton.disabled = true;
	loadModels();
})();
