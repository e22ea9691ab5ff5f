#include "blobs/s3/s3_xml.h"

#include <charconv>

namespace k9::blobs::s3 {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string xml_unescape(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '&') {
      out += t[i];
      continue;
    }
    size_t semi = t.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += t[i];
      continue;
    }
    std::string_view ent = t.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
        out += t[i];
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += t[i];
      continue;
    }
    i = semi;
  }
  return out;
}

std::string xml_escape(std::string_view t) {
  std::string out;
  for (char c : t) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
std::vector<std::string> elements(std::string_view xml, std::string_view tag, bool decode) {
  std::vector<std::string> out;
  std::string open = "<" + std::string(tag), close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size() || (xml[after] != '>' && xml[after] != ' ')) {  // <KeyCount> is not <Key>
      pos = after;
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {  // <Tag/>: empty
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    std::string_view inner = xml.substr(gt + 1, end - gt - 1);
    out.push_back(decode ? xml_unescape(inner) : std::string(inner));
    pos = end + close.size();
  }
  return out;
}

}  // namespace

std::vector<std::string> xml_elements(std::string_view xml, std::string_view tag) { return elements(xml, tag, true); }
std::vector<std::string> xml_blocks(std::string_view xml, std::string_view tag) { return elements(xml, tag, false); }

std::string xml_text(std::string_view xml, std::string_view tag) {
  auto all = xml_elements(xml, tag);
  return all.empty() ? "" : all.front();
}

}  // namespace k9::blobs::s3
