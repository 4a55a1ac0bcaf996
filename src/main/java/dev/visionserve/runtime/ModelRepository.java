package dev.visionserve.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The models of a repository folder: one sub-folder per model holding {@code model.yaml}
 * and {@code model.onnx}. Folders with neither (such as training scripts) are not models.
 * Every model's state is kept by name, so a missing or broken model is reported with its
 * reason instead of stopping the others. Thread-safe: statuses are replaced atomically
 * while {@link #loadAll()} runs on its own thread.
 */
public final class ModelRepository implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ModelRepository.class);

	private final Path root;

	private final ModelLoader loader;

	private final Map<String, ModelStatus> statuses = new ConcurrentSkipListMap<>();

	private volatile String problem;

	private volatile boolean loadingFinished;

	private volatile boolean closed;

	private final AtomicBoolean closing = new AtomicBoolean();

	public ModelRepository(Path root, ModelLoader loader) {
		this.root = root;
		this.loader = loader;
	}

	public Path root() {
		return this.root;
	}

	/**
	 * Loads every model of the folder, one after the other, recording each one's outcome.
	 */
	public void loadAll() {
		try {
			List<Path> folders = modelFolders();
			folders.forEach((folder) -> this.statuses.put(name(folder), ModelStatus.loading(name(folder))));
			if (folders.isEmpty()) {
				this.problem = "the model repository holds no model";
				logger.error("The model repository " + this.root.toAbsolutePath() + " holds no model");
			}
			for (Path folder : folders) {
				if (this.closed) {
					return;
				}
				load(name(folder), folder);
			}
		}
		catch (IOException ex) {
			this.problem = "the model repository cannot be read (see the log)";
			logger.error("The model repository " + this.root.toAbsolutePath() + " cannot be read: " + ex);
		}
		finally {
			this.loadingFinished = true;
		}
	}

	private void load(String name, Path folder) {
		long start = System.nanoTime();
		try {
			LoadedModel model = this.loader.load(name, folder);
			if (this.closed) {
				model.close();
				return;
			}
			this.statuses.put(name, ModelStatus.ready(model));
			logger.info("Model '" + name + "' (" + model.config().kind() + ") is ready on "
					+ model.sessions().stream().map((s) -> s.device().toString()).toList() + " in "
					+ (System.nanoTime() - start) / 1_000_000 + " ms");
		}
		catch (ModelLoadException | RuntimeException ex) {
			if (this.closed) {
				// Shutting down: an interrupted load is no failure worth reporting.
				return;
			}
			this.statuses.put(name, ModelStatus.failed(name, withoutRepositoryPath(ex.getMessage())));
			logger.error("Model '" + name + "' failed to load: " + ex.getMessage());
		}
	}

	/**
	 * Reasons reach health and problem bodies, which must not show where the server keeps
	 * its files: paths inside the repository become relative to it (ONNX Runtime's
	 * messages quote the full path of the file it could not load).
	 */
	private String withoutRepositoryPath(String reason) {
		if (reason == null) {
			return null;
		}
		String result = reason;
		for (Path root : List.of(realRoot(), this.root.toAbsolutePath().normalize(), this.root.toAbsolutePath())) {
			String prefix = root.toString();
			result = result.replace(prefix + root.getFileSystem().getSeparator(), "").replace(prefix, ".");
		}
		return result;
	}

	private Path realRoot() {
		try {
			return this.root.toRealPath();
		}
		catch (IOException ex) {
			return this.root.toAbsolutePath();
		}
	}

	private List<Path> modelFolders() throws IOException {
		if (!Files.isDirectory(this.root)) {
			throw new IOException("it is not a folder");
		}
		try (Stream<Path> children = Files.list(this.root)) {
			return children.filter(Files::isDirectory)
				.filter((dir) -> !name(dir).startsWith("."))
				.filter((dir) -> Files.exists(dir.resolve("model.yaml")) || Files.exists(dir.resolve("model.onnx")))
				.sorted()
				.toList();
		}
	}

	private static String name(Path folder) {
		return folder.getFileName().toString();
	}

	/**
	 * @return every model's status, by name
	 */
	public Collection<ModelStatus> statuses() {
		return List.copyOf(this.statuses.values());
	}

	/**
	 * @return whether the repository holds a model of this name, in any state
	 */
	public boolean contains(String name) {
		return this.statuses.containsKey(name);
	}

	/**
	 * @return a repository-wide problem (missing or empty folder), or {@code null}
	 */
	public String problem() {
		return this.problem;
	}

	public boolean loadingFinished() {
		return this.loadingFinished;
	}

	/**
	 * @return whether loading finished and every model is ready
	 */
	public boolean allReady() {
		return this.loadingFinished && this.problem == null
				&& this.statuses.values().stream().allMatch((s) -> s.state() == ModelStatus.State.READY);
	}

	/**
	 * @param name the model's name
	 * @param kind the kind the caller needs
	 * @return the model, ready to serve
	 * @throws UnknownModelException when no model of that kind has that name
	 * @throws ModelNotReadyException when it is loading or failed
	 */
	public LoadedModel require(String name, String kind) {
		ModelStatus status = this.statuses.get(name);
		if (status == null || (status.model() != null && !status.model().config().kind().equals(kind))) {
			throw new UnknownModelException(name, kind, namesOfKind(kind));
		}
		if (status.state() != ModelStatus.State.READY) {
			throw new ModelNotReadyException(status);
		}
		return status.model();
	}

	private List<String> namesOfKind(String kind) {
		return this.statuses.values()
			.stream()
			.filter((s) -> s.model() == null || s.model().config().kind().equals(kind))
			.map(ModelStatus::name)
			.toList();
	}

	/**
	 * Makes every loaded model refuse new jobs and fail its queued ones (a shutdown whose
	 * drain time is up); batches already running finish.
	 */
	public void stopAccepting() {
		loadedModels().forEach(LoadedModel::stopAccepting);
	}

	private Stream<LoadedModel> loadedModels() {
		return this.statuses.values().stream().map(ModelStatus::model).filter(Objects::nonNull);
	}

	/**
	 * Drains and closes every loaded model; a model still loading is closed by the loader
	 * as soon as it is ready. Idempotent: both the lifecycle and the bean's destruction
	 * may call it.
	 */
	@Override
	public void close() {
		if (this.closing.getAndSet(true)) {
			return;
		}
		this.closed = true;
		loadedModels().forEach(LoadedModel::close);
	}

}
