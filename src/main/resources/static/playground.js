// VisionServe playground: classify an image, generate one with live progress, edit one (inpaint, upscale, denoise,
// restyle), and check generated or edited images with the classifier.
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
		editDropZone: $('edit-drop-zone'),
		editFileInput: $('edit-file-input'),
		editModeHint: $('edit-mode-hint'),
		editBefore: $('edit-before'),
		editBeforeStack: $('edit-before-stack'),
		editBeforeImage: $('edit-before-image'),
		editBeforeCaption: $('edit-before-caption'),
		maskCanvas: $('mask-canvas'),
		editAfter: $('edit-after'),
		editAfterImage: $('edit-after-image'),
		editAfterCaption: $('edit-after-caption'),
		editForm: $('edit-form'),
		editDenoiserSelect: $('edit-denoiser-select'),
		editLabelLabel: $('edit-label-label'),
		editLabelSelect: $('edit-label-select'),
		editStepsInput: $('edit-steps-input'),
		editSeedInput: $('edit-seed-input'),
		brushInput: $('brush-input'),
		brushOutput: $('brush-output'),
		maskCentreButton: $('mask-centre-button'),
		maskBottomButton: $('mask-bottom-button'),
		maskClearButton: $('mask-clear-button'),
		jumpLengthInput: $('jump-length-input'),
		resampleCountInput: $('resample-count-input'),
		factorHint: $('factor-hint'),
		sigmaInput: $('sigma-input'),
		addNoiseButton: $('add-noise-button'),
		noiseLevelInput: $('noise-level-input'),
		methodSelect: $('method-select'),
		strengthInput: $('strength-input'),
		strengthOutput: $('strength-output'),
		editButton: $('edit-button'),
		editStopButton: $('edit-stop-button'),
		editProgress: $('edit-progress'),
		editProgressText: $('edit-progress-text'),
		editStatus: $('edit-status'),
		editCheckButton: $('edit-check-button'),
		editCheckStatus: $('edit-check-status'),
		editCheckResult: $('edit-check-result'),
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
		fillModelSelect(ui.editDenoiserSelect, list, 'denoiser');
		fillGenerateLabels();
		fillEditLabels();
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

	/** Fills a class select with the denoiser's labels; preferFirst picks the first class over unconditional. */
	function fillLabels(labelSelect, denoiserSelect, preferFirst) {
		const model = models.get(denoiserSelect.value);
		const previous = labelSelect.value;
		labelSelect.replaceChildren(new Option('(unconditional)', ''));
		((model && model.labels) || []).forEach((label) => {
			labelSelect.append(new Option(label, label, false, label === previous));
		});
		if (preferFirst && !previous && labelSelect.options.length > 1) {
			labelSelect.selectedIndex = 1;
		}
	}

	function fillGenerateLabels() {
		fillLabels(ui.labelSelect, ui.denoiserSelect, true);
		setRunning(running !== null);
	}

	// ---- Classify -----------------------------------------------------------------------------------------

	/** Calls onFile with the file chosen in the input or dropped on the zone (the input's label). */
	function acceptFiles(zone, input, onFile) {
		input.addEventListener('change', () => {
			if (input.files.length) {
				onFile(input.files[0]);
			}
		});
		['dragenter', 'dragover'].forEach((type) => zone.addEventListener(type, (event) => {
			event.preventDefault();
			zone.classList.add('dragging');
		}));
		['dragleave', 'drop'].forEach((type) => zone.addEventListener(type, () => {
			zone.classList.remove('dragging');
		}));
		zone.addEventListener('drop', (event) => {
			event.preventDefault();
			const file = event.dataTransfer && event.dataTransfer.files[0];
			if (file) {
				onFile(file);
			}
		});
	}

	acceptFiles(ui.dropZone, ui.fileInput, classifyFile);

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

	ui.denoiserSelect.addEventListener('change', fillGenerateLabels);

	const showGenerateProgress = progressView(ui.progress, ui.progressText);

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
		showGenerateProgress(0, request.steps || 1, 0);
		ui.generateStatus.textContent = 'Generating' + (request.label ? ' ' + request.label : '') + '…';
		try {
			const answer = await streamDiffusion('generate', {
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(request),
				signal: running.signal,
			}, {
				progress: (data) => showGenerateProgress(data.step, data.totalSteps, data.elapsed),
				preview: (data) => addPreview(data.step, data.images[0]),
			});
			showResult(answer, request.label);
		}
		catch (error) {
			ui.generateStatus.textContent = error.name === 'AbortError' ? 'Stopped.' : error.message;
		}
		finally {
			running = null;
			setRunning(false);
		}
	}

	/**
	 * POSTs a diffusion request (generate or an edit) asking for text/event-stream; calls on[name](data) for the
	 * progress and preview events and resolves to the result event's answer. Rejects with the problem's detail
	 * when the service refuses the request or reports an error event.
	 */
	async function streamDiffusion(url, { body, headers = {}, signal }, on = {}) {
		const response = await fetch(url, {
			method: 'POST',
			headers: withApiKey({ ...headers, Accept: 'text/event-stream' }),
			body,
			signal,
		});
		if (!response.ok) {
			throw await problem(response);
		}
		let result = null;
		await readEvents(response, (name, data) => {
			if (name === 'result') {
				result = data;
			}
			else if (name === 'error') {
				throw new Error(describeProblem(data, 'The run failed'));
			}
			else if (on[name]) {
				on[name](data);
			}
		});
		if (result === null) {
			throw new Error('The stream ended without a result');
		}
		return result;
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

	/** A function(step, total, elapsedMillis) that shows progress in a progress bar and its text. */
	function progressView(bar, text) {
		return (step, total, elapsedMillis) => {
			bar.max = total;
			bar.value = step;
			const seconds = (elapsedMillis / 1000).toFixed(1);
			text.textContent = step === 0 ? 'Waiting…'
					: 'Step ' + step + ' / ' + total + ' · ' + Math.round((100 * step) / total) + '% · ' + seconds + ' s';
		};
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

	ui.checkButton.addEventListener('click', () => {
		if (generated !== null) {
			check(generated, 'generated', ui.checkStatus, ui.checkResult);
		}
	});

	/** Sends an image ({png, label}) to /classify and shows the top 5, and whether it is the class asked for. */
	async function check(image, what, status, list) {
		status.textContent = 'Classifying the ' + what + ' image…';
		list.replaceChildren();
		try {
			const blob = new Blob([image.png], { type: 'image/png' });
			const answer = await classify(blob, what + '.png', ui.classifierSelect.value);
			const predictions = answer.results[0].predictions;
			renderPredictions(list, predictions);
			const top = predictions[0];
			let verdict = answer.model + ' sees ' + describeTop(predictions);
			if (image.label) {
				verdict += top && top.label === image.label ? ': it matches the class asked for.'
						: ': not the ' + image.label + ' asked for.';
			}
			status.textContent = verdict;
		}
		catch (error) {
			status.textContent = error.message;
		}
	}

	// ---- Edit an image ------------------------------------------------------------------------------------

	/** Per mode: the endpoint, what the status says while it runs, the hint under the mode switch. */
	const MODES = {
		inpaint: {
			path: 'inpaint', verb: 'Inpainting', labelText: 'Class (optional)',
			hint: 'Paint the area to fill over the image (mouse, pen or finger), or pick Centre or Bottom half; '
					+ 'the model redraws it and keeps every other pixel.',
		},
		upscale: {
			path: 'super-resolution', verb: 'Upscaling', labelText: 'Class (optional)',
			hint: 'A small image becomes one at the model\u2019s size, consistent with the small one.',
		},
		denoise: {
			path: 'denoise', verb: 'Denoising', labelText: 'Class (optional)',
			hint: 'Add noise to the image first (or upload a noisy one), then remove it.',
		},
		restyle: {
			path: 'img2img', verb: 'Restyling', labelText: 'Target class',
			hint: 'Noise the image partly (by Strength) and let the model redraw it, towards the target class.',
		},
	};

	/** The uploaded image: the file and its grey levels (0..255, row by row). */
	let source = null;
	/** The source with Gaussian noise added ({blob, width, height, name, caption}), for denoising. */
	let noisy = null;
	/** What Run sends as the image, and shows as "before": {blob, width, height, name, caption}. */
	let before = null;
	/** The inpainting mask at the source's size: 1 = fill. */
	let mask = null;
	/** The last edited image: its PNG bytes and the class asked for. */
	let edited = null;
	/** Aborts the running edit. */
	let editing = null;
	/** Increases with every change of the before image, so that a slower earlier update does not win. */
	let beforeVersion = 0;
	/** The last point painted, in image pixels, while a pointer paints the mask. */
	let painting = null;

	const showEditProgress = progressView(ui.editProgress, ui.editProgressText);

	function mode() {
		return document.querySelector('input[name="edit-mode"]:checked').value;
	}

	function factor() {
		return Number(document.querySelector('input[name="edit-factor"]:checked').value);
	}

	/** The denoiser's image side, from its 4-D input tensor (N, C, H, W); 28 when /models does not say. */
	function modelSize() {
		const model = models.get(ui.editDenoiserSelect.value);
		const input = model && (model.inputs || []).find((tensor) => tensor.shape && tensor.shape.length === 4);
		return input && input.shape[3] > 0 ? input.shape[3] : 28;
	}

	function fillEditLabels() {
		fillLabels(ui.editLabelSelect, ui.editDenoiserSelect, false);
		showMode();
		setEditing(editing !== null);
	}

	ui.editDenoiserSelect.addEventListener('change', () => {
		fillEditLabels();
		noisy = null;
		updateBefore();
	});

	document.querySelectorAll('input[name="edit-mode"]').forEach((radio) => radio.addEventListener('change', () => {
		showMode();
		clearAfter();
		updateBefore();
	}));

	document.querySelectorAll('input[name="edit-factor"]').forEach((radio) => radio.addEventListener('change', () => {
		clearAfter();
		updateBefore();
	}));

	function showMode() {
		const current = mode();
		document.querySelectorAll('.mode-fields').forEach((fields) => {
			fields.hidden = fields.dataset.mode !== current;
		});
		ui.editModeHint.textContent = MODES[current].hint;
		ui.editLabelLabel.textContent = MODES[current].labelText;
		const size = modelSize();
		ui.factorHint.textContent = 'The model makes ' + size + '×' + size + ' images: ×2 upscales ' + size / 2 + '×'
				+ size / 2 + ' to ' + size + '×' + size + ', ×4 upscales ' + size / 4 + '×' + size / 4
				+ '. A larger upload is first shrunk to that size here (box averaging); the shrunk image is the '
				+ '"before".';
		ui.maskCanvas.hidden = current !== 'inpaint' || mask === null;
		// The posterior mean is one model call: steps do not apply (the service refuses them).
		ui.editStepsInput.disabled = current === 'denoise' && ui.methodSelect.value === 'posterior-mean';
	}

	ui.methodSelect.addEventListener('change', showMode);

	acceptFiles(ui.editDropZone, ui.editFileInput, loadEditImage);

	async function loadEditImage(file) {
		clearAfter();
		ui.editStatus.textContent = 'Reading ' + file.name + '…';
		try {
			source = { file, name: file.name, ...(await decodeGrey(file)) };
		}
		catch (error) {
			source = null;
			mask = null;
			ui.editStatus.textContent = file.name + ' is not an image this browser can read.';
			await updateBefore();
			return;
		}
		noisy = null;
		newMask();
		await updateBefore();
		ui.editStatus.textContent = file.name + ': ' + source.width + '×' + source.height + '.';
	}

	/** Recomputes what Run sends (and shows as "before") for the current mode. */
	async function updateBefore() {
		const version = ++beforeVersion;
		let next = null;
		if (source !== null) {
			const current = mode();
			if (current === 'upscale') {
				next = await shrunkForUpscaling();
			}
			else if (current === 'denoise' && noisy !== null) {
				next = noisy;
			}
			else {
				next = {
					blob: source.file, width: source.width, height: source.height, name: source.name,
					caption: 'Before: ' + source.width + '×' + source.height,
				};
			}
		}
		if (version !== beforeVersion) {
			return;
		}
		before = next;
		ui.editBefore.hidden = before === null;
		if (before !== null) {
			showImage(ui.editBeforeImage, before.blob);
			ui.editBeforeImage.alt = before.caption;
			ui.editBeforeCaption.textContent = before.caption;
			ui.editBeforeStack.style.aspectRatio = before.width + ' / ' + before.height;
		}
		showMode();
		setEditing(editing !== null);
	}

	/** The source at the size that the chosen factor upscales to the model's, box-averaged when larger. */
	async function shrunkForUpscaling() {
		const side = Math.max(1, Math.round(modelSize() / factor()));
		if (source.width <= side && source.height <= side) {
			return {
				blob: source.file, width: source.width, height: source.height, name: source.name,
				caption: 'Before: ' + source.width + '×' + source.height,
			};
		}
		const grey = boxResize(source.grey, source.width, source.height, side, side);
		return {
			blob: await greyToPng(grey, side, side), width: side, height: side, name: 'shrunk.png',
			caption: 'Before: ' + side + '×' + side + ' (shrunk from ' + source.width + '×' + source.height + ')',
		};
	}

	// Denoise: seeded Gaussian noise added here, so that the same seed gives the same noisy image.
	ui.addNoiseButton.addEventListener('click', async () => {
		const sigma = Number(ui.sigmaInput.value);
		if (source === null || !(sigma >= 0 && sigma <= 255)) {
			ui.editStatus.textContent = 'σ is a number from 0 to 255.';
			return;
		}
		const seed = ui.editSeedInput.value === '' ? Math.floor(Math.random() * 2 ** 31) : integer(ui.editSeedInput.value);
		const side = modelSize();
		const clean = source.width === side && source.height === side ? source.grey
				: boxResize(source.grey, source.width, source.height, side, side);
		const random = gaussian(seed);
		const grey = new Uint8ClampedArray(clean.length);
		for (let i = 0; i < clean.length; i++) {
			grey[i] = Math.min(255, Math.max(0, Math.round(clean[i] + sigma * random())));
		}
		noisy = {
			blob: await greyToPng(grey, side, side), width: side, height: side, name: 'noisy.png',
			caption: 'Before: noise σ ' + sigma + ' added (seed ' + seed + ')',
		};
		clearAfter();
		await updateBefore();
		ui.editStatus.textContent = 'Added Gaussian noise, σ ' + sigma + ' on the 0–255 scale, seed ' + seed
				+ '. Run removes it.';
	});

	ui.strengthInput.addEventListener('input', () => {
		ui.strengthOutput.textContent = Number(ui.strengthInput.value).toFixed(2);
	});

	// ---- Edit: the inpainting mask ----

	function newMask() {
		const longer = Math.max(source.width, source.height);
		mask = { width: source.width, height: source.height, data: new Uint8Array(source.width * source.height) };
		ui.maskCanvas.width = source.width;
		ui.maskCanvas.height = source.height;
		ui.brushInput.max = String(Math.max(1, Math.ceil(longer / 2)));
		ui.brushInput.value = String(Math.max(1, Math.round(longer / 7)));
		ui.brushOutput.textContent = ui.brushInput.value;
		drawMask();
	}

	ui.brushInput.addEventListener('input', () => {
		ui.brushOutput.textContent = ui.brushInput.value;
	});

	ui.maskCanvas.addEventListener('pointerdown', (event) => {
		if (mask === null || event.button > 0) {
			return;
		}
		event.preventDefault();
		try {
			ui.maskCanvas.setPointerCapture(event.pointerId);
		}
		catch (ignored) {
			// painting still works while the pointer stays over the canvas
		}
		painting = pointInImage(event);
		paintDisc(painting);
		drawMask();
	});

	ui.maskCanvas.addEventListener('pointermove', (event) => {
		if (painting === null) {
			return;
		}
		const point = pointInImage(event);
		paintLine(painting, point);
		painting = point;
		drawMask();
	});

	['pointerup', 'pointercancel', 'lostpointercapture'].forEach((type) => ui.maskCanvas.addEventListener(type, () => {
		if (painting !== null) {
			painting = null;
			describeMask();
		}
	}));

	ui.maskClearButton.addEventListener('click', () => fillMask(() => false));
	ui.maskCentreButton.addEventListener('click', () => fillMask((x, y, w, h) => x >= w / 4 && x < (3 * w) / 4
			&& y >= h / 4 && y < (3 * h) / 4));
	ui.maskBottomButton.addEventListener('click', () => fillMask((x, y, w, h) => y >= h / 2));

	function fillMask(inside) {
		if (mask === null) {
			return;
		}
		for (let y = 0; y < mask.height; y++) {
			for (let x = 0; x < mask.width; x++) {
				mask.data[y * mask.width + x] = inside(x, y, mask.width, mask.height) ? 1 : 0;
			}
		}
		drawMask();
		describeMask();
	}

	function pointInImage(event) {
		const box = ui.maskCanvas.getBoundingClientRect();
		return {
			x: ((event.clientX - box.left) / box.width) * mask.width,
			y: ((event.clientY - box.top) / box.height) * mask.height,
		};
	}

	/** Marks the pixels whose centres lie within the brush around the point, and always the pixel under it. */
	function paintDisc(point) {
		const radius = Number(ui.brushInput.value) / 2;
		for (let y = Math.floor(point.y - radius); y <= Math.ceil(point.y + radius); y++) {
			for (let x = Math.floor(point.x - radius); x <= Math.ceil(point.x + radius); x++) {
				if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) {
					continue;
				}
				const dx = x + 0.5 - point.x;
				const dy = y + 0.5 - point.y;
				const under = x === Math.floor(point.x) && y === Math.floor(point.y);
				if (under || dx * dx + dy * dy <= radius * radius) {
					mask.data[y * mask.width + x] = 1;
				}
			}
		}
	}

	/** Paints discs along the segment at half-pixel spacing, so that a fast stroke leaves no gaps. */
	function paintLine(from, to) {
		const count = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) * 2));
		for (let i = 1; i <= count; i++) {
			paintDisc({ x: from.x + ((to.x - from.x) * i) / count, y: from.y + ((to.y - from.y) * i) / count });
		}
	}

	function drawMask() {
		const context = ui.maskCanvas.getContext('2d');
		const pixels = context.createImageData(mask.width, mask.height);
		mask.data.forEach((fill, i) => {
			pixels.data.set(fill ? [255, 72, 72, 255] : [0, 0, 0, 0], i * 4);
		});
		context.putImageData(pixels, 0, 0);
		ui.maskCanvas.dataset.filled = String(maskCount());
	}

	function maskCount() {
		return mask === null ? 0 : mask.data.reduce((sum, fill) => sum + fill, 0);
	}

	function describeMask() {
		ui.editStatus.textContent = 'Mask: ' + maskCount() + ' of ' + mask.data.length + ' pixels to fill.';
	}

	/** The mask as the service wants it: a PNG of the image's size, white = fill, black = keep. */
	function maskPng() {
		const grey = new Uint8ClampedArray(mask.data.length);
		mask.data.forEach((fill, i) => {
			grey[i] = fill ? 255 : 0;
		});
		return greyToPng(grey, mask.width, mask.height);
	}

	// ---- Edit: run, show, check ----

	ui.editForm.addEventListener('submit', (event) => {
		event.preventDefault();
		if (editing === null) {
			runEdit();
		}
	});

	ui.editStopButton.addEventListener('click', () => {
		if (editing !== null) {
			editing.abort();
		}
	});

	async function runEdit() {
		const current = mode();
		if (before === null) {
			ui.editStatus.textContent = 'Choose an image first.';
			return;
		}
		if (current === 'inpaint' && maskCount() === 0) {
			ui.editStatus.textContent = 'Paint the area to fill first (or pick Centre or Bottom half).';
			return;
		}
		const label = ui.editLabelSelect.value || undefined;
		const body = new FormData();
		body.append('image', before.blob, before.name);
		const fields = {
			model: ui.editDenoiserSelect.value,
			label,
			steps: ui.editStepsInput.value,
			seed: ui.editSeedInput.value,
		};
		if (current === 'inpaint') {
			body.append('mask', await maskPng(), 'mask.png');
			fields.jumpLength = ui.jumpLengthInput.value;
			fields.resampleCount = ui.resampleCountInput.value;
		}
		else if (current === 'denoise') {
			fields.noiseLevel = ui.noiseLevelInput.value;
			fields.method = ui.methodSelect.value;
			if (ui.methodSelect.value === 'posterior-mean') {
				delete fields.steps;
			}
		}
		else if (current === 'restyle') {
			fields.strength = ui.strengthInput.value;
		}
		// An empty field is left out, so that the service applies its default.
		Object.entries(fields).filter(([, value]) => value !== undefined && value !== '')
			.forEach(([name, value]) => body.append(name, value));

		editing = new AbortController();
		edited = null;
		clearAfter();
		setEditing(true);
		showEditProgress(0, integer(fields.steps || '') || 1, 0);
		ui.editStatus.textContent = MODES[current].verb + (label ? ' towards ' + label : '') + '…';
		try {
			const answer = await streamDiffusion(MODES[current].path, { body, signal: editing.signal }, {
				progress: (data) => showEditProgress(data.step, data.totalSteps, data.elapsed),
			});
			showEdited(answer, current, label);
		}
		catch (error) {
			ui.editStatus.textContent = error.name === 'AbortError' ? 'Stopped.' : error.message;
			if (ui.editProgress.value === 0) {
				ui.editProgressText.textContent = 'Not started';
			}
		}
		finally {
			editing = null;
			setEditing(false);
		}
	}

	function showEdited(answer, current, label) {
		const image = answer.images[0];
		edited = { png: base64ToBytes(image.png), label };
		ui.editAfterImage.src = 'data:image/png;base64,' + image.png;
		ui.editAfterImage.alt = 'After ' + MODES[current].verb.toLowerCase() + ', seed ' + image.seed;
		const plural = (count, noun) => count + ' ' + noun + (count === 1 ? '' : 's');
		const facts = [plural(answer.steps, 'step'), 'seed ' + image.seed];
		if (answer.modelCalls !== undefined) {
			facts.push(plural(answer.modelCalls, 'model call'));
		}
		let done = 'Done: ' + answer.model + ', seed ' + image.seed + '.';
		if (answer.noiseLevel !== undefined) {
			const level = 'σ ' + Number(answer.noiseLevel).toFixed(1) + (answer.noiseLevelEstimated ? ' (estimated)' : '');
			facts.push(level);
			done += ' Noise level ' + level + '.';
		}
		ui.editAfterCaption.textContent = 'After: ' + facts.join(' · ');
		ui.editAfter.hidden = false;
		ui.editStatus.textContent = done;
	}

	function clearAfter() {
		edited = null;
		ui.editAfter.hidden = true;
		ui.editAfterImage.removeAttribute('src');
		ui.editCheckResult.replaceChildren();
		ui.editCheckStatus.textContent = '';
		ui.editCheckButton.disabled = true;
	}

	function setEditing(on) {
		ui.editButton.disabled = on || !ui.editDenoiserSelect.value || before === null;
		ui.editStopButton.disabled = !on;
		ui.editCheckButton.disabled = on || edited === null;
		ui.addNoiseButton.disabled = on || source === null;
		document.querySelectorAll('input[name="edit-mode"]').forEach((radio) => {
			radio.disabled = on;
		});
		ui.editForm.setAttribute('aria-busy', String(on));
	}

	ui.editCheckButton.addEventListener('click', () => {
		if (edited !== null) {
			check(edited, 'edited', ui.editCheckStatus, ui.editCheckResult);
		}
	});

	// ---- Edit: pixels ----

	/** The image's grey levels (ITU-R 601 luma, as the service converts), decoded without colour management. */
	async function decodeGrey(blob) {
		const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
		const canvas = document.createElement('canvas');
		canvas.width = bitmap.width;
		canvas.height = bitmap.height;
		const context = canvas.getContext('2d', { willReadFrequently: true });
		context.drawImage(bitmap, 0, 0);
		bitmap.close();
		const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
		const grey = new Uint8ClampedArray(canvas.width * canvas.height);
		for (let i = 0; i < grey.length; i++) {
			grey[i] = Math.round(0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]);
		}
		return { width: canvas.width, height: canvas.height, grey };
	}

	function greyToPng(grey, width, height) {
		const canvas = document.createElement('canvas');
		canvas.width = width;
		canvas.height = height;
		const context = canvas.getContext('2d');
		const pixels = context.createImageData(width, height);
		grey.forEach((value, i) => {
			pixels.data.set([value, value, value, 255], i * 4);
		});
		context.putImageData(pixels, 0, 0);
		return new Promise((resolve, reject) => canvas.toBlob(
				(blob) => (blob ? resolve(blob) : reject(new Error('Cannot encode a PNG'))), 'image/png'));
	}

	/**
	 * Area averaging: each target pixel is the mean of the source area it covers (partial pixels weighted by
	 * their share). For a whole factor this is the box average that the service's consistency check undoes.
	 */
	function boxResize(grey, width, height, targetWidth, targetHeight) {
		const out = new Uint8ClampedArray(targetWidth * targetHeight);
		const scaleX = width / targetWidth;
		const scaleY = height / targetHeight;
		for (let ty = 0; ty < targetHeight; ty++) {
			const y0 = ty * scaleY;
			const y1 = y0 + scaleY;
			for (let tx = 0; tx < targetWidth; tx++) {
				const x0 = tx * scaleX;
				const x1 = x0 + scaleX;
				let sum = 0;
				let area = 0;
				for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
					const wy = Math.min(y + 1, y1) - Math.max(y, y0);
					for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
						const weight = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
						sum += grey[y * width + x] * weight;
						area += weight;
					}
				}
				out[ty * targetWidth + tx] = Math.round(sum / area);
			}
		}
		return out;
	}

	/** Standard normal numbers from a seeded generator (mulberry32, Box–Muller), the same for the same seed. */
	function gaussian(seed) {
		let state = seed >>> 0;
		const uniform = () => {
			state = (state + 0x6d2b79f5) >>> 0;
			let t = state;
			t = Math.imul(t ^ (t >>> 15), t | 1);
			t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
			return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
		};
		let spare = null;
		return () => {
			if (spare !== null) {
				const value = spare;
				spare = null;
				return value;
			}
			const u = 1 - uniform();
			const v = uniform();
			const radius = Math.sqrt(-2 * Math.log(u));
			spare = radius * Math.sin(2 * Math.PI * v);
			return radius * Math.cos(2 * Math.PI * v);
		};
	}

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
			detail = describeProblem(await response.json(), detail);
		}
		catch (ignored) {
			// not JSON: keep the status
		}
		const error = new Error(detail);
		error.status = response.status;
		return error;
	}

	/** A problem body (or an event stream's error) as one line: its detail or title, and its code. */
	function describeProblem(body, fallback) {
		return (body.detail || body.title || fallback) + (body.code ? ' (' + body.code + ')' : '');
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
	showMode();
	loadModels();
})();
