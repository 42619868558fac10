#pragma once
// escape_xml(text): the text with &, <, >, " and ' replaced by entities, safe inside XML/HTML
// element content and inside single- or double-quoted attribute values. Used for every string
// that goes into the report's SVG and HTML (titles, class names, series names, file names, the
// config and the model summary).
#include <string>
#include <string_view>

namespace ember::train {

inline std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace ember::train
