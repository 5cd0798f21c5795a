package io.weft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.cli.SourceCopy.Result;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Weft as a Java project depends on it: the libraries and their parent POM are deployed (as
 * {@code mvn deploy} would send them to Maven Central, signing aside) into a {@code file:}
 * repository, the layout is checked against Central's requirements, and a separate consumer
 * project ({@code src/test/resources/consumer-project}) that knows Weft only by its coordinates
 * is built from that repository and runs a yamux echo, once on the class path and once on the
 * module path.
 *
 * <p>Everything happens in a copy of the sources ({@link SourceCopy}), with the version's {@code
 * -SNAPSHOT} dropped so the layout is a release's, and with local repositories of its own: nothing
 * of Weft's reaches {@code ~/.m2}. Most of the time is the deploy build (about 50 s of CPU: it
 * compiles the tests too, since {@code -Dmaven.test.skip} would drop the test-jars the modules'
 * test scopes name); 3 to 4 minutes when the machine is loaded eight times over.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsumerProjectTest {

    private static final List<String> LIBRARIES = List.of("weft-netpoll", "weft-netpoll-epoll", "weft-yamux");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    private static SourceCopy copy;
    private static String snapshotVersion;
    private static String version;
    private static Path repository;
    private static Path consumer;
    private static Path consumerLocalRepository;

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static void deployTheLibrariesThenBuildTheConsumer() throws Exception {
        copy = SourceCopy.of(work.resolve("src"));
        snapshotVersion = projectVersion(Files.readString(copy.root().resolve("pom.xml")));
        version = snapshotVersion.replace("-SNAPSHOT", "");
        try (Stream<Path> files = Files.walk(copy.root())) {
            for (Path pom : files.filter(f -> f.getFileName().toString().equals("pom.xml")).toList()) {
                Files.writeString(pom, Files.readString(pom).replace(snapshotVersion, version));
            }
        }
        repository = work.resolve("repository");
        Result deploy = copy.maven(Duration.ofMinutes(8), SourceCopy.localRepository(work.resolve("m2-deploy")),
                "-q", "deploy", "-pl", ".,netpoll,netpoll-epoll,yamux", "-DskipTests", "-Dmaven.install.skip=true",
                "-DaltDeploymentRepository=weft-test::" + repository.toUri());
        assertThat(deploy.exitCode()).as(deploy.toString()).isZero();

        consumer = copy.root().resolve("cli/src/test/resources/consumer-project");
        for (String module : List.of("class-path", "module-path")) {
            Path sources = Files.createDirectories(consumer.resolve(module + "/src/main/java/io/weft/example"));
            Files.copy(consumer.resolve("Echo.java"), sources.resolve("Echo.java"));
        }
        Path pom = consumer.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("@WEFT_VERSION@", version)
                .replace("@WEFT_REPOSITORY@", repository.toUri().toString()));
        consumerLocalRepository = SourceCopy.localRepository(work.resolve("m2-consumer"));
        Result build = copy.maven(Duration.ofMinutes(2), consumerLocalRepository, "-q", "-f", pom.toString(),
                "process-classes");
        assertThat(build.exitCode()).as(build.toString()).isZero();
    }

    @Test
    void deployedLayoutHasWhatMavenCentralRequires() throws Exception {
        Path parentPom = artifact("weft-parent", "", "pom");
        assertThat(missingMetadata(parentPom)).as(parentPom.toString()).isEmpty();
        assertChecksums(parentPom);
        for (String library : LIBRARIES) {
            Path pom = artifact(library, "", "pom");
            assertThat(missingMetadata(pom)).as(pom.toString()).isEmpty();
            assertThat(runtimeDependencies(pom)).as("%s depends at run time on", library)
                    .allMatch(d -> d.startsWith("io.weft:"));
            for (String classifier : List.of("", "-sources", "-javadoc")) {
                assertChecksums(artifact(library, classifier, "jar"));
            }
            assertChecksums(pom);
            assertThat(entries(artifact(library, "", "jar"))).contains("module-info.class");
            assertThat(entries(artifact(library, "-sources", "jar"))).contains("module-info.java");
            assertThat(entries(artifact(library, "-javadoc", "jar"))).contains("index.html", "element-list");
        }
    }

    @Test
    void consumerOnTheClassPathEchoesThroughYamux() throws Exception {
        Path module = consumer.resolve("class-path/target");
        assertThat(libraries(module)).containsExactlyInAnyOrder(LIBRARIES.stream().map(a -> a + "-" + version + ".jar")
                .toArray(String[]::new));
        assertThat(Files.readString(consumerLocalRepository.resolve(
                "io/weft/weft-yamux/" + version + "/_remote.repositories"))).as("where Maven found weft-yamux")
                .contains(">weft-test=");
        Result r = java("--enable-native-access=ALL-UNNAMED", "-cp",
                module.resolve("classes") + File.pathSeparator + module.resolve("lib") + File.separator + "*",
                "io.weft.example.Echo");
        assertEchoed(r, "unnamed");
    }

    @Test
    void consumerOnTheModulePathEchoesThroughYamux() throws Exception {
        Path module = consumer.resolve("module-path/target");
        assertThat(module.resolve("classes/module-info.class")).exists();
        Result r = java("--enable-native-access=io.weft.netpoll.epoll", "-p",
                module.resolve("classes") + File.pathSeparator + module.resolve("lib"),
                "-m", "io.weft.example/io.weft.example.Echo");
        assertEchoed(r, "io.weft.yamux");
    }

    @Test
    void docsListEachModuleAndItsExportsAsTheJarsDeclareThem() throws Exception {
        String docs = Files.readString(SourceCopy.REPO_ROOT.resolve("docs/netpoll.md"));
        for (String library : LIBRARIES) {
            ModuleDescriptor module = ModuleFinder.of(artifact(library, "", "jar")).findAll().iterator().next()
                    .descriptor();
            String exports = module.exports().stream().filter(e -> !e.isQualified()).map(e -> e.source()).sorted()
                    .map(p -> "`" + p + "`").collect(Collectors.joining(", "));
            String row = "| `" + library + "` | `" + module.name() + "` | " + (exports.isEmpty() ? "nothing" : exports)
                    + " | ";
            assertThat(docs).as("docs/netpoll.md, section Modules").contains(row);
            String rest = docs.substring(docs.indexOf(row) + row.length()).lines().findFirst().orElseThrow();
            for (ModuleDescriptor.Exports qualified : module.exports().stream().filter(e -> e.isQualified()).toList()) {
                assertThat(rest).as(row).contains("`" + qualified.source() + "` to " + qualified.targets().stream()
                        .sorted().map(t -> "`" + t + "`").collect(Collectors.joining(", ")));
            }
            for (ModuleDescriptor.Provides provides : module.provides()) {
                assertThat(rest).as(row).contains("provides " + provides.service());
            }
        }
    }

    @Test
    void readmeGivesTheProjectsCoordinates() throws Exception {
        String readme = Files.readString(SourceCopy.REPO_ROOT.resolve("README.md"));
        assertThat(readme).contains("<artifactId>weft-yamux</artifactId>", "<artifactId>weft-netpoll-epoll</artifactId>",
                "<version>" + snapshotVersion + "</version>", "\"io.weft:weft-yamux:" + snapshotVersion + "\"",
                "--enable-native-access=io.weft.netpoll.epoll", "--enable-native-access=ALL-UNNAMED");
    }

    private static void assertEchoed(Result r, String yamuxModule) {
        // epoll needs Linux and Java 22+; elsewhere netpoll runs on its java.nio poller.
        boolean epoll = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && Runtime.version().feature() >= 22;
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout().lines().toList()).as(r.toString()).containsExactly("echo: hello from a consumer",
                "poller: " + (epoll ? "epoll" : "nio"), "yamux module: " + yamuxModule);
        assertThat(r.stderr()).as(r.toString()).doesNotContain("WARNING");
    }

    private static Result java(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(arguments));
        return copy.run(RUN_TIMEOUT, Map.of(), command);
    }

    private static List<String> libraries(Path target) throws IOException {
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            return jars.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** {@code io/weft/<artifactId>/<version>/<artifactId>-<version><classifier>.<extension>}, which must exist. */
    private static Path artifact(String artifactId, String classifier, String extension) {
        Path file = repository.resolve("io/weft/" + artifactId + "/" + version + "/" + artifactId + "-" + version
                + classifier + "." + extension);
        assertThat(file).as("deployed").isRegularFile();
        return file;
    }

    /** Central requires an .md5 and a .sha1 beside every file, holding its hex digest. */
    private static void assertChecksums(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        for (String algorithm : List.of("MD5", "SHA-1")) {
            Path sum = file.resolveSibling(file.getFileName() + "." + algorithm.replace("-", "").toLowerCase(Locale.ROOT));
            assertThat(sum).isRegularFile();
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
            assertThat(Files.readString(sum).strip()).as(sum.toString()).startsWith(expected);
        }
    }

    /**
     * What Central's POM requirements find missing: coordinates, name, description, url, a
     * license (name and url), a developer, scm (connection, developerConnection, url), and a
     * release version. Everything but the name may be inherited from the deployed parent POM.
     */
    private static List<String> missingMetadata(Path pom) throws Exception {
        Element own = parse(pom);
        List<Element> chain = new ArrayList<>(List.of(own));
        Element parent = child(own, "parent");
        if (parent != null) {
            chain.add(parse(artifact(text(parent, "artifactId"), "", "pom")));
        }
        List<String> missing = new ArrayList<>();
        if (text(own, "name") == null) {
            missing.add("name");
        }
        for (String path : List.of("groupId", "artifactId", "version", "description", "url", "licenses/license/name",
                "licenses/license/url", "developers/developer/name", "scm/connection", "scm/developerConnection",
                "scm/url")) {
            String value = chain.stream().map(e -> text(e, path)).filter(v -> v != null).findFirst().orElse(null);
            if (value == null || value.isBlank() || value.contains("${") || value.endsWith("-SNAPSHOT")) {
                missing.add(path + " (" + value + ")");
            }
        }
        return missing;
    }

    /** groupId:artifactId of the dependencies of {@code pom} and its parents that are not test-only. */
    private static List<String> runtimeDependencies(Path pom) throws Exception {
        List<String> found = new ArrayList<>();
        Element project = parse(pom);
        while (project != null) {
            Element dependencies = child(project, "dependencies");
            for (Node n = dependencies == null ? null : dependencies.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element d && !"test".equals(text(d, "scope"))) {
                    found.add(text(d, "groupId") + ":" + text(d, "artifactId"));
                }
            }
            Element parent = child(project, "parent");
            project = parent == null ? null : parse(artifact(text(parent, "artifactId"), "", "pom"));
        }
        return found;
    }

    private static Element parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    /** The text at a slash-separated path of child elements, or null. */
    private static String text(Element from, String path) {
        Element e = from;
        for (String name : path.split("/")) {
            e = e == null ? null : child(e, name);
        }
        return e == null ? null : e.getTextContent().strip();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(e -> e.getName()).toList();
        }
    }

    /** The version of the root POM: the first {@code <version>} after its own artifactId. */
    private static String projectVersion(String rootPom) {
        Matcher m = Pattern.compile("<artifactId>weft-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(rootPom);
        assertThat(m.find()).as("version in the root pom.xml").isTrue();
        return m.group(1);
    }
}
