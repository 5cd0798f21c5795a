package io.weft.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Turns a {@code java} block of the docs into a compilation unit and compiles it against the
 * libraries, like a Rust doctest. The convention, also stated in {@link #HOW_TO_FIX}:
 * <ul>
 * <li>A block whose first declaration (after comments, {@code package} and imports) is a type
 *     ({@code class}, {@code record}, {@code interface}, {@code enum}, with any modifiers or
 *     annotations) is a whole file and compiles as is; a {@code module} block compiles as a
 *     {@code module-info.java} against the libraries' modules.</li>
 * <li>Any other block is statements: its leading imports are hoisted, the rest becomes the body
 *     of {@code void run() throws Exception} in a class with a {@code main} that calls it.</li>
 * <li>{@code <!-- java-context: ... -->} above the fence adds hidden context: its imports are
 *     hoisted and the rest goes into the class body (fields, helper methods), e.g. {@code
 *     <!-- java-context: Session session; -->}.</li>
 * <li>{@code <!-- java-run: TEXT -->} also runs the block in a fresh JVM; a line of its output
 *     must start with TEXT.</li>
 * </ul>
 * Statement blocks compile with {@code --release 21}, the libraries' floor.
 */
final class DocJava {

    /** What to do when a block fails; every failure message ends with it. */
    static final String HOW_TO_FIX = """
            How to fix a ```java block of the docs (each one is compiled by DocsJavaTest, see DocJava):
              - a block of statements runs inside `void run() throws Exception`; imports at its top are hoisted,
                so add any import it is missing at the top of the block;
              - names a block uses but does not show (a Session, a Listener, a helper) go in a comment on the line
                just above the ``` fence, invisible on GitHub: <!-- java-context: Session session; Listener listener; -->
                (imports may go there too: <!-- java-context: import java.nio.file.Path; Conn conn; -->);
              - a block that is a whole file (package, imports, a class/record/interface/enum) compiles as is;
              - a block that is not Java meant to compile (pseudo-code, an excerpt with "...") should not be
                tagged java: use ```text.
            Run just this check: ./build -q test -pl netpoll,netpoll-epoll,yamux,cli -Dtest=DocsJavaTest \
            -Dsurefire.failIfNoSpecifiedTests=false""";

    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;\\s*(//.*)?$");
    private static final Pattern IMPORT_ANYWHERE = Pattern.compile("import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;");
    private static final Pattern TYPE_DECLARATION = Pattern.compile(
            "^(@[\\w.]+(\\([^)]*\\))?\\s+)*((public|protected|private|abstract|final|sealed|non-sealed|static|strictfp)\\s+)*"
                    + "(class|interface|enum|record|@interface)\\s+(\\w+)");
    private static final Pattern MODULE = Pattern.compile("^(@[\\w.]+\\s+)*(open\\s+)?module\\s+[\\w.]+");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^public\\s+((abstract|final|sealed|non-sealed|strictfp)\\s+)*(class|interface|enum|record|@interface)\\s+(\\w+)");

    /** A generated source file: its name, its lines, and the page line each one came from. */
    record Source(String fileName, String mainClass, List<String> text, List<Integer> pageLines, boolean module) {}

    private DocJava() {}

    /** The source javac sees for {@code block}. */
    static Source source(DocBlock block) {
        List<String> lines = block.lines();
        int first = 0;
        while (first < lines.size() && (lines.get(first).isBlank() || lines.get(first).strip().startsWith("//")
                || lines.get(first).strip().startsWith("package ") || IMPORT.matcher(lines.get(first)).matches())) {
            first++;
        }
        String declaration = first < lines.size() ? lines.get(first).strip() : "";
        List<Integer> asIs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            asIs.add(block.lineOf(i));
        }
        if (MODULE.matcher(declaration).find()) {
            return new Source("module-info.java", null, lines, asIs, true);
        }
        if (TYPE_DECLARATION.matcher(declaration).find()) {
            Matcher publicType = PUBLIC_TYPE.matcher(String.join("\n", lines));
            String name = publicType.find() ? publicType.group(4) : className(block);
            Matcher pkg = PACKAGE.matcher(String.join("\n", lines));
            return new Source(name + ".java", pkg.find() ? pkg.group(1) + "." + name : name, lines, asIs, false);
        }
        return wrapped(block, first);
    }

    private static Source wrapped(DocBlock block, int firstStatement) {
        String name = className(block);
        List<String> text = new ArrayList<>();
        List<Integer> from = new ArrayList<>();
        List<DocBlock.Directive> contexts = block.directives().stream()
                .filter(d -> d.name().equals("java-context")).toList();
        for (DocBlock.Directive d : contexts) {
            Matcher imports = IMPORT_ANYWHERE.matcher(d.value());
            while (imports.find()) {
                text.add(imports.group());
                from.add(d.line());
            }
        }
        for (int i = 0; i < firstStatement; i++) {
            text.add(block.lines().get(i));
            from.add(block.lineOf(i));
        }
        text.add("public class " + name + " {");
        from.add(block.fenceLine());
        for (DocBlock.Directive d : contexts) {
            text.add(IMPORT_ANYWHERE.matcher(d.value()).replaceAll("").strip().replace('\n', ' '));
            from.add(d.line());
        }
        text.add("public static void main(String[] args) throws Exception { new " + name + "().run(); }");
        from.add(block.fenceLine());
        text.add("void run() throws Exception {");
        from.add(block.fenceLine());
        for (int i = firstStatement; i < block.lines().size(); i++) {
            text.add(block.lines().get(i));
            from.add(block.lineOf(i));
        }
        text.add("}}");
        from.add(block.lineOf(block.lines().size()));
        return new Source(name + ".java", name, text, from, false);
    }

    private static String className(DocBlock block) {
        return "Doc_" + block.file().replaceAll("\\W", "_") + "_L" + block.fenceLine();
    }

    /**
     * Compiles {@code block} into {@code dir} against {@code classPath}; returns one message per
     * error, {@code file:line: message} with the page's line, empty when it compiled.
     */
    static List<String> compile(DocBlock block, String classPath, Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        for (DocBlock.Directive d : block.directives()) {
            if (d.name().startsWith("java-") && !d.name().equals("java-context") && !d.name().equals("java-run")) {
                problems.add(block.file() + ":" + d.line() + ": unknown directive '" + d.name()
                        + "' (known: java-context, java-run)");
            }
        }
        Source source = source(block);
        Path file = Files.createDirectories(dir.resolve("src")).resolve(source.fileName());
        Files.write(file, source.text(), StandardCharsets.UTF_8);
        List<String> options = new ArrayList<>(List.of("-d", dir.toString(), "-proc:none", "-implicit:none"));
        if (source.module()) {
            options.addAll(List.of("--module-path", modulePath(classPath)));
        } else {
            options.addAll(List.of("--release", "21", "-classpath", classPath));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file)).call();
        }
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            long line = d.getLineNumber();
            boolean inSource = line >= 1 && line <= source.text().size();
            int pageLine = inSource ? source.pageLines().get((int) line - 1) : block.fenceLine();
            String shown = inSource ? "\n    " + source.text().get((int) line - 1).strip() : "";
            problems.add(block.file() + ":" + pageLine + ": error: " + d.getMessage(Locale.ROOT) + shown);
        }
        return problems.stream().distinct().toList();
    }

    /**
     * What a user of the libraries has: this JVM's class path without test classes and test jars
     * (so a snippet cannot lean on TestPki or this test).
     */
    static String libraryClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(classPath.split(File.pathSeparator)).stream()
                .filter(entry -> !entry.contains("test-classes") && !entry.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The entries of {@code classPath} that are modules (a module-info.class), for module blocks. */
    private static String modulePath(String classPath) {
        return List.of(classPath.split(File.pathSeparator)).stream()
                .filter(DocJava::isModule)
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static boolean isModule(String entry) {
        Path path = Path.of(entry);
        if (Files.isDirectory(path)) {
            return Files.exists(path.resolve("module-info.class"));
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            return jar.getEntry("module-info.class") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
