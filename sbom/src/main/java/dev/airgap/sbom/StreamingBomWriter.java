package dev.airgap.sbom;

import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;
import java.io.OutputStream;
import org.cyclonedx.Version;
import org.cyclonedx.generators.json.BomJsonGenerator;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.BomReference;
import org.cyclonedx.util.mixin.MixInBomReference;

/**
 * CycloneDX's own JSON generator and serializers, writing straight to a stream: its public API
 * returns a String (or a tree parsed back from one), which for bundles of tens of thousands of
 * files needs several times the document's size in heap. Configured exactly as
 * {@code BomJsonGenerator.toJson} configures its mapper.
 */
final class StreamingBomWriter extends BomJsonGenerator {
  StreamingBomWriter(Bom bom, Version version) {
    super(bom, version);
  }

  void writeTo(OutputStream out, PrettyPrinter printer) throws IOException {
    mapper.addMixIn(BomReference.class, MixInBomReference.class);
    mapper.writer(printer).writeValue(out, bom);
  }
}
