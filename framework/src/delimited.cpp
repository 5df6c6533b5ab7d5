#include "alphas/delimited.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <system_error>

namespace alphas {

namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// True for the spellings of NaN and infinity that std::from_chars accepts,
// including a NaN with a payload such as "nan(0x1)".
bool is_non_finite_spelling(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  if (text.size() > 3 && equals_ignoring_case(text.substr(0, 3), "nan") && text[3] == '(') {
    return true;
  }
  return equals_ignoring_case(text, "nan") || equals_ignoring_case(text, "inf") ||
         equals_ignoring_case(text, "infinity");
}

// Reads one quoted field that starts at line[begin] == '"'. Appends the
// unquoted text to `field` and returns the position after the closing
// quote, or std::string_view::npos if the quote is never closed.
std::size_t read_quoted(std::string_view line, std::size_t begin, std::string& field) {
  std::size_t i = begin + 1;
  while (i < line.size()) {
    if (line[i] != '"') {
      field.push_back(line[i]);
      ++i;
    } else if (i + 1 < line.size() && line[i + 1] == '"') {
      field.push_back('"');
      i += 2;
    } else {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

TextLines::TextLines(std::string_view text) : text_(text) {
  if (text_.substr(0, kUtf8ByteOrderMark.size()) == kUtf8ByteOrderMark) {
    position_ = kUtf8ByteOrderMark.size();
  }
}

bool TextLines::next(std::string_view& line, int64_t& line_number) {
  if (position_ >= text_.size()) return false;
  std::size_t end = text_.find('\n', position_);
  if (end == std::string_view::npos) end = text_.size();
  line = text_.substr(position_, end - position_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  position_ = end + 1;
  line_number = ++line_number_;
  return true;
}

char detect_delimiter(std::string_view first_line) {
  // Candidates in tie-break order; characters inside double quotes do not count.
  constexpr std::array<char, 3> kCandidates = {'\t', ',', ';'};
  std::array<std::size_t, 3> counts = {0, 0, 0};
  bool quoted = false;
  for (char c : first_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    for (std::size_t k = 0; k < kCandidates.size(); ++k) {
      if (c == kCandidates[k]) ++counts[k];
    }
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < kCandidates.size(); ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return counts[best] == 0 ? '\0' : kCandidates[best];
}

std::string delimiter_name(char delimiter) {
  if (delimiter == '\t') return "tab";
  return std::string("'") + delimiter + "'";
}

bool split_fields(std::string_view line, char delimiter, std::vector<std::string>& fields) {
  const bool quoting = delimiter != '\t';
  std::size_t count = 0;
  std::size_t position = 0;
  while (true) {
    if (fields.size() <= count) fields.emplace_back();
    std::string& field = fields[count++];
    field.clear();

    std::size_t end = line.find(delimiter, position);
    if (end == std::string_view::npos) end = line.size();
    std::string_view raw = line.substr(position, end - position);
    std::string_view trimmed = trim_spaces(raw);

    if (quoting && !trimmed.empty() && trimmed.front() == '"') {
      // A quoted field may contain the delimiter, so it ends at its closing
      // quote, not at the next delimiter found above.
      std::size_t open = position + static_cast<std::size_t>(trimmed.data() - raw.data());
      std::size_t after = read_quoted(line, open, field);
      if (after == std::string_view::npos) {
        fields.resize(count);
        return false;
      }
      // Text between the closing quote and the delimiter is kept, as
      // spreadsheet programs do ("a"b -> ab).
      end = line.find(delimiter, after);
      if (end == std::string_view::npos) end = line.size();
      field.append(trim_spaces(line.substr(after, end - after)));
    } else {
      field.assign(trimmed);
    }

    if (end >= line.size()) break;
    position = end + 1;
  }
  fields.resize(count);
  return true;
}

NumberStatus parse_number(std::string_view text, double& value) {
  if (text.empty()) return NumberStatus::empty;
  std::string_view digits = text;
  if (digits.front() == '+') {
    digits.remove_prefix(1);
    if (digits.empty() || digits.front() == '-' || digits.front() == '+') {
      return NumberStatus::not_a_number;
    }
  }
  if (is_non_finite_spelling(digits)) return NumberStatus::not_finite;

  double parsed = 0.0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  std::from_chars_result result = std::from_chars(first, last, parsed, std::chars_format::general);
  if (result.ec == std::errc::invalid_argument || result.ptr != last) {
    return NumberStatus::not_a_number;
  }
  if (result.ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
  if (!std::isfinite(parsed)) return NumberStatus::not_finite;
  value = parsed;
  return NumberStatus::ok;
}

bool parse_integer(std::string_view text, int64_t& value) {
  if (text.empty()) return false;
  int64_t parsed = 0;
  const char* last = text.data() + text.size();
  std::from_chars_result result = std::from_chars(text.data(), last, parsed);
  if (result.ec != std::errc() || result.ptr != last) return false;
  value = parsed;
  return true;
}

bool is_control_character(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

std::string control_character_code(char c) {
  static const char kDigits[] = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 0xF];
}

std::string shorten_for_message(std::string_view text, std::size_t max_chars) {
  std::string message_text;
  for (char c : text.substr(0, max_chars)) {
    if (is_control_character(c) && c != '\t') {
      message_text += "\\x" + control_character_code(c).substr(2);
    } else {
      message_text += c;
    }
  }
  if (text.size() > max_chars) message_text += "...";
  return message_text;
}

}  // namespace alphas
