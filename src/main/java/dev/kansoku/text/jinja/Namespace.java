package dev.kansoku.text.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code namespace(...)}: the one object a template may assign attributes on, across loop scopes. */
final class Namespace {
  final Map<Object, Object> attrs = new LinkedHashMap<>();
}
