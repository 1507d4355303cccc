package dev.kansoku.text.jinja;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/** A Python tuple: a read-only list that prints as {@code (a, b)} and never equals a list. */
final class PyTuple extends AbstractList<Object> {
  private final List<Object> items;

  PyTuple(List<?> items) {
    this.items = new ArrayList<>(items);
  }

  @Override
  public Object get(int index) {
    return items.get(index);
  }

  @Override
  public int size() {
    return items.size();
  }
}
