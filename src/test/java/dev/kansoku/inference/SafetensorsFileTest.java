package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @Test
  void roundTripsFloat32(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("t.safetensors");
    new SafetensorsWriter().add("a", new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-8f, -7}).add("b", new long[] {1}, new float[] {42}).write(f, Map.of());
    SafetensorsFile st = SafetensorsFile.open(f);
    assertArrayEquals(new long[] {2, 3}, st.tensors().get("a").shape());
    assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-8f, -7}, st.readFloats("a"));
    assertArrayEquals(new float[] {42}, st.readFloats("b"));
  }

  @Test
  void widensF16AndBf16Exactly(@TempDir Path tmp) throws Exception {
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24
    // BF16: 1.0 = 0x3f80, -0.5 = 0xbf00
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 12).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    buf.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x7bff).putShort((short) 0x0001);
    buf.putShort((short) 0x3f80).putShort((short) 0xbf00);
    Path f = tmp.resolve("half.safetensors");
    Files.write(f, buf.array());
    SafetensorsFile st = SafetensorsFile.open(f);
    assertArrayEquals(new float[] {1f, -2f, 65504f, (float) Math.pow(2, -24)}, st.readFloats("h"));
    assertArrayEquals(new float[] {1f, -0.5f}, st.readFloats("b"));
    assertEquals(2, st.tensors().size());
  }
}
