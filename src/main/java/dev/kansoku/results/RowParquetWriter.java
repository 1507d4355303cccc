package dev.kansoku.results;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Streams rows of a flat Spark schema into one Parquet file from the driver, without a Spark job and without
 * holding the rows: the planner writes each task's requests as it renders them, and executors read the file.
 * Supports the column types of the request tables (string, int, long, double, boolean, array of string), in
 * the standard three-level LIST layout that Spark reads.
 */
public final class RowParquetWriter implements Closeable {
  /** Small row groups: the writer buffers one in memory, and Spark splits a file by row groups. */
  private static final int ROW_GROUP_BYTES = 16 * 1024 * 1024;
  private final StructType schema;
  private final SimpleGroupFactory groups;
  private final ParquetWriter<Group> writer;
  private long rows;

  public RowParquetWriter(Configuration conf, Path file, StructType schema) throws IOException {
    this.schema = schema;
    MessageType message = messageType(schema);
    this.groups = new SimpleGroupFactory(message);
    this.writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
        .withType(message)
        .withConf(conf)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupSize(ROW_GROUP_BYTES)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  public void write(Row row) throws IOException {
    Group g = groups.newGroup();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      if (row.isNullAt(i)) {
        if (!fields[i].nullable()) {
          throw new IllegalArgumentException("column " + fields[i].name() + " is not nullable but the row has null");
        }
        continue;
      }
      DataType t = fields[i].dataType();
      String name = fields[i].name();
      Object v = row.get(i);
      if (t instanceof ArrayType) {
        Group list = g.addGroup(name);
        // Spark rows hold arrays as Scala sequences, rows built in Java as lists
        Iterable<?> elements = v instanceof scala.collection.Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq) : (List<?>) v;
        for (Object element : elements) {
          Group entry = list.addGroup("list");
          if (element != null) {
            entry.append("element", (String) element);
          }
        }
      } else if (t.equals(DataTypes.StringType)) {
        g.append(name, (String) v);
      } else if (t.equals(DataTypes.IntegerType)) {
        g.append(name, (Integer) v);
      } else if (t.equals(DataTypes.LongType)) {
        g.append(name, (Long) v);
      } else if (t.equals(DataTypes.DoubleType)) {
        g.append(name, (Double) v);
      } else if (t.equals(DataTypes.BooleanType)) {
        g.append(name, (Boolean) v);
      } else {
        throw new IllegalArgumentException("unsupported column type " + t + " for " + name);
      }
    }
    writer.write(g);
    rows++;
  }

  public long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  static MessageType messageType(StructType schema) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (StructField f : schema.fields()) {
      Type.Repetition rep = f.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
      DataType t = f.dataType();
      if (t instanceof ArrayType a && a.elementType().equals(DataTypes.StringType)) {
        b.addField(Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
            .addField(Types.repeatedGroup()
                .addField(Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("element"))
                .named("list"))
            .named(f.name()));
      } else if (t.equals(DataTypes.StringType)) {
        b.addField(Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(f.name()));
      } else if (t.equals(DataTypes.IntegerType)) {
        b.addField(Types.primitive(PrimitiveTypeName.INT32, rep).named(f.name()));
      } else if (t.equals(DataTypes.LongType)) {
        b.addField(Types.primitive(PrimitiveTypeName.INT64, rep).named(f.name()));
      } else if (t.equals(DataTypes.DoubleType)) {
        b.addField(Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.name()));
      } else if (t.equals(DataTypes.BooleanType)) {
        b.addField(Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.name()));
      } else {
        throw new IllegalArgumentException("unsupported column type " + t + " for " + f.name());
      }
    }
    return b.named("spark_schema");
  }
}
