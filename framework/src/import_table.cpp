// Delimiter, header and columns of one input table.
#include <algorithm>
#include <cctype>
#include <string>

#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "import_internal.hpp"

namespace alphas::import_detail {

namespace {

// A column setting written as digits is a 0-based index, anything else a name.
bool is_column_index(const std::string& spec) {
  return !spec.empty() && std::all_of(spec.begin(), spec.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

std::string join(const std::vector<std::string>& fields) {
  std::string text;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text += ", ";
    text += shorten_for_message(fields[i], 40);
  }
  return text;
}

// One column that the role reads, with its setting and where its index goes.
struct ColumnSetting {
  const char* label;  // "user", "item", "rating", "title"
  const std::string* spec;
  std::size_t* index;
};

std::vector<ColumnSetting> column_settings(const TableSource& source, const TableRole& role,
                                           TableLayout& layout) {
  std::vector<ColumnSetting> columns;
  if (role.needs_user) columns.push_back({"user", &source.user_column, &layout.user});
  columns.push_back({"item", &source.item_column, &layout.item});
  if (role.needs_value) {
    columns.push_back({role.value_label, &source.value_column, &layout.value});
  }
  return columns;
}

std::size_t resolve_index(const ColumnSetting& column, const TableSource& source,
                          const TableLayout& layout, std::string_view first_line) {
  const std::string where = source.file.string() + ":" + std::to_string(layout.first_line);
  if (is_column_index(*column.spec)) {
    std::size_t index = std::stoul(*column.spec);
    if (index >= layout.field_count) {
      throw InputError(where + ": the " + column.label + " column is set to index " +
                       *column.spec + ", but the first line has only " +
                       std::to_string(layout.field_count) +
                       (layout.field_count == 1 ? " field (" : " fields (") +
                       shorten_for_message(first_line) +
                       "); indices count from 0, or check the delimiter");
    }
    return index;
  }
  auto found = std::find(layout.header_fields.begin(), layout.header_fields.end(), *column.spec);
  if (found == layout.header_fields.end()) {
    throw InputError(where + ": no column named '" + *column.spec + "' (the " + column.label +
                     " column) in the header; the columns are: " + join(layout.header_fields) +
                     "; choose one of them by name or by 0-based index");
  }
  return static_cast<std::size_t>(found - layout.header_fields.begin());
}

// Decides whether the first line is a header, resolving index columns
// first because the detection rule of the role reads them.
bool decide_header(const TableSource& source, const TableRole& role,
                   const std::vector<ColumnSetting>& columns, const std::vector<std::string>& fields,
                   TableLayout& layout, std::string_view first_line) {
  const ColumnSetting* named = nullptr;
  for (const ColumnSetting& column : columns) {
    if (!is_column_index(*column.spec) && named == nullptr) named = &column;
  }
  switch (source.header) {
    case HeaderMode::present:
      return true;
    case HeaderMode::absent:
      if (named != nullptr) {
        throw InputError(source.file.string() + ": the " + named->label +
                         " column is chosen by name ('" + *named->spec +
                         "'), which needs a header line, but header is set to false; set "
                         "header to true or auto, or choose the column by its 0-based index");
      }
      return false;
    case HeaderMode::detect:
      break;
  }
  if (named != nullptr) return true;
  for (const ColumnSetting& column : columns) {
    *column.index = resolve_index(column, source, layout, first_line);
  }
  return role.first_line_is_header(fields, layout);
}

}  // namespace

std::optional<TableLayout> resolve_layout(const TableSource& source, std::string_view text,
                                          const TableRole& role) {
  TextLines lines(text);
  std::string_view line;
  int64_t line_number = 0;
  bool found = false;
  while (lines.next(line, line_number)) {
    if (!is_blank_line(line)) {
      found = true;
      break;
    }
  }
  if (!found) return std::nullopt;

  TableLayout layout;
  layout.first_line = line_number;
  const std::string where = source.file.string() + ":" + std::to_string(line_number);
  layout.delimiter = source.delimiter != '\0' ? source.delimiter : detect_delimiter(line);
  if (layout.delimiter == '\0') {
    throw InputError(where + ": cannot detect the delimiter because the first line (" +
                     shorten_for_message(line) +
                     ") contains no tab, comma or semicolon; the file needs at least two "
                     "columns, or set the delimiter explicitly");
  }

  std::vector<std::string> fields;
  if (!split_fields(line, layout.delimiter, fields)) {
    throw InputError(where + ": a quoted field is not closed on this line (" +
                     shorten_for_message(line) + ")");
  }
  layout.field_count = fields.size();

  std::vector<ColumnSetting> columns = column_settings(source, role, layout);
  layout.has_header = decide_header(source, role, columns, fields, layout, line);
  if (layout.has_header) layout.header_fields = fields;
  for (const ColumnSetting& column : columns) {
    *column.index = resolve_index(column, source, layout, line);
  }

  for (std::size_t a = 0; a < columns.size(); ++a) {
    for (std::size_t b = a + 1; b < columns.size(); ++b) {
      if (*columns[a].index == *columns[b].index) {
        throw InputError(source.file.string() + ": the " + columns[a].label + " and " +
                         columns[b].label + " columns are both column " +
                         std::to_string(*columns[a].index) +
                         " (counted from 0); each must be a different column");
      }
    }
  }
  return layout;
}

}  // namespace alphas::import_detail
