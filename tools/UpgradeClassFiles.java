import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar, rewriting every class file older than Java 6 (major version below 50) as a Java 8
 * class file (52) with stack map frames computed for it. Run by tools/dist.sh on the weft.jar that
 * goes into the dist image; needs JDK 24 or newer (java.lang.classfile).
 *
 * <p>Why: picocli is compiled for Java 5. The JVM verifies such classes with the old inference
 * verifier, and CDS leaves them out of an archive ("Skipping ...: Old class has been linked"),
 * together with every class that implements one of their interfaces (weft's option converters).
 * So about 140 classes were read from the jar and verified at every start of {@code weft}. With
 * stack maps they verify with the split verifier at archive time and load from the archive. The
 * bytecode itself is unchanged (same instructions, same constant pool entries); only the version
 * and the StackMapTable attributes are new. Entry names, order and times are kept.
 *
 * <p>Usage: {@code java tools/UpgradeClassFiles.java IN.jar OUT.jar}; prints how many classes it
 * upgraded. Fails (exit 1) if a class cannot be upgraded (e.g. it uses jsr/ret, which Java 7+
 * class files forbid).
 */
public final class UpgradeClassFiles {

    private static final int OLDEST_KEPT = 50;
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java tools/UpgradeClassFiles.java IN.jar OUT.jar");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int upgraded = 0;
        try (URLClassLoader jar = new URLClassLoader(new URL[] {in.toUri().toURL()}, null);
                ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
                ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(out))) {
            // Frames need the common superclass of two types: the JDK's classes from the running
            // JDK, the jar's own by parsing them from the jar.
            ClassHierarchyResolver resolver = ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(jar))
                    .cached();
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(resolver));
            ClassTransform upgrade = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                    .andThen((builder, element) -> {
                        if (element instanceof ClassFileVersion) {
                            builder.withVersion(TARGET, 0);
                        } else {
                            builder.with(element);
                        }
                    });
            for (ZipEntry entry; (entry = zin.getNextEntry()) != null; ) {
                byte[] bytes = zin.readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                    ClassModel model = classFile.parse(bytes);
                    if (model.majorVersion() < OLDEST_KEPT) {
                        bytes = classFile.transformClass(model, upgrade);
                        upgraded++;
                    }
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        System.out.println(upgraded);
    }
}
