package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Issue 15, item 4: the smallest program that shows DJL 0.36's PyTorch engine aborting the JVM on bfloat16. Not a
 * test (it kills its JVM); run one step per process:
 * {@code java -cp target/test-classes:target/classes:$(cat target/classpath.txt) dev.kansoku.inference.DjlBfloat16Reproducer cast}
 * Every step prints its name, then the process ends with "terminate called without an active exception" and exit
 * code 134 (measured on this machine, PyTorch 2.7.1 CPU): {@code cast} (a 2×2 fp32 tensor to bf16), {@code buffer}
 * (a bf16 tensor from a direct buffer), {@code empty} (an uninitialised bf16 tensor). Each call hands DJL's
 * DataType ordinal (bfloat16 = 11) to native code, whose dtype → ScalarType switch (djl_pytorch_utils.h,
 * GetScalarTypeFromDType, in the versions read) has no case for it; its default branch rethrows with no active
 * exception, which is std::terminate. A bf16 tensor therefore cannot cross the Java API in either direction;
 * bf16 could only live inside a TorchScript graph that takes and returns other dtypes.
 */
public final class DjlBfloat16Reproducer {
  private DjlBfloat16Reproducer() {}

  public static void main(String[] args) {
    String step = args.length > 0 ? args[0] : "cast";
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      System.out.println("step " + step + ": DataType.BFLOAT16.ordinal() = " + DataType.BFLOAT16.ordinal());
      System.out.flush();
      NDArray b = switch (step) {
        case "cast" -> m.create(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2)).toType(DataType.BFLOAT16, false);
        case "buffer" -> {
          ByteBuffer bb = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
          bb.putShort((short) 0x3f80).putShort((short) 0x4000).putShort((short) 0x4040).putShort((short) 0x4080).flip();
          yield m.create(bb, new Shape(2, 2), DataType.BFLOAT16);
        }
        case "empty" -> m.create(new Shape(2, 2), DataType.BFLOAT16);
        default -> throw new IllegalArgumentException("step: cast, buffer or empty");
      };
      System.out.println("survived: " + b.getDataType());
    }
  }
}
