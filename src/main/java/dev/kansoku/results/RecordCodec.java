package dev.kansoku.results;

import dev.kansoku.config.RequestKind;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The conversion between a codec record and a Spark row, by name: column {@code request_kind} is record component
 * {@code requestKind}. Values become what Spark stores (a {@link RequestKind} its label, a list a Scala sequence,
 * which Spark's row encoder requires) and back. One instance per record class, built once.
 */
final class RecordCodec<R extends Record> {
  private static final ClassValue<RecordCodec<?>> CODECS = new ClassValue<>() {
    @Override
    protected RecordCodec<?> computeValue(Class<?> type) {
      return new RecordCodec<>(type.asSubclass(Record.class));
    }
  };

  private final Class<R> type;
  private final Map<String, RecordComponent> byColumn = new LinkedHashMap<>();
  private final Constructor<R> constructor;

  private RecordCodec(Class<R> type) {
    this.type = type;
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      byColumn.put(column(components[i].getName()), components[i]);
      types[i] = components[i].getType();
    }
    try {
      constructor = type.getDeclaredConstructor(types);
      constructor.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type + " has no canonical constructor", e);
    }
  }

  @SuppressWarnings("unchecked")
  static <R extends Record> RecordCodec<R> of(Class<R> type) {
    return (RecordCodec<R>) CODECS.get(type);
  }

  /** The column of a record component: {@code requestKind} → {@code request_kind}, {@code promptSha256} → {@code prompt_sha256}. */
  static String column(String component) {
    return component.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
  }

  /** The record's columns, in component order. */
  List<String> columns() {
    return List.copyOf(byColumn.keySet());
  }

  /** {@code column} of {@code record} as Spark stores it. */
  Object value(Object record, String table, String column) {
    RecordComponent c = byColumn.get(column);
    if (c == null) {
      throw TableRow.unknown(table, column);
    }
    Object v;
    try {
      v = c.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + c.getName(), e);
    }
    if (v instanceof RequestKind k) {
      return k.label();
    }
    if (v instanceof List<?> list) {
      return CollectionConverters.asScala(list).toSeq();
    }
    return v;
  }

  /** The record of {@code row}; a column the row lacks (a projection of the table) is null. */
  R read(Row row, String table) {
    Object[] args = new Object[byColumn.size()];
    int i = 0;
    for (Map.Entry<String, RecordComponent> e : byColumn.entrySet()) {
      String column = e.getKey();
      Class<?> t = e.getValue().getType();
      // one index lookup per column: this runs for every request the plan and infer stages read
      int index = row.schema() == null ? row.fieldIndex(column) : (Integer) row.schema().getFieldIndex(column).getOrElse(() -> -1);
      Object v = index < 0 ? null : row.get(index);
      if (v == null && t.isPrimitive()) {
        throw new IllegalArgumentException("table " + table + ": column '" + column + "' is null or missing in " + row);
      }
      if (v instanceof scala.collection.Seq<?> seq) {
        v = List.copyOf(CollectionConverters.asJava(seq));
      } else if (v instanceof List<?> list) {
        v = List.copyOf(list);
      } else if (t == RequestKind.class && v != null) {
        v = RequestKind.parse((String) v);
      }
      args[i++] = v;
    }
    try {
      return constructor.newInstance(args);
    } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot make a " + type.getSimpleName() + " of " + row, e);
    }
  }
}
