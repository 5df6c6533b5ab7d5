// ensemble.json and its readable forms: plain text, Markdown and SVG.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "alphas/ensemble.hpp"
#include "alphas/format_count.hpp"

namespace alphas {

namespace {

nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json metrics_json(const SplitMetrics& m) {
  return {{"rmse", number(m.metrics.rmse)},
          {"mae", number(m.metrics.mae)},
          {"r2", number(m.metrics.r2)},
          {"n", m.n}};
}

nlohmann::json settings_json(const StackerSettings& s) {
  return {{"enabled", s.enabled},
          {"max_rounds", s.max_rounds},
          {"early_stopping_rounds", s.early_stopping_rounds},
          {"learning_rate", s.learning_rate},
          {"max_depth", s.max_depth},
          {"min_child_weight", s.min_child_weight},
          {"subsample", s.subsample},
          {"colsample", s.colsample},
          {"lambda", s.lambda},
          {"holdout", s.holdout},
          {"seed", s.seed}};
}

// printf-style formatting into a std::string.
template <class... Args>
std::string format(const char* pattern, Args... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, args...);
  return buffer;
}

// A metric from JSON with `decimals` digits, or "-" for null.
std::string metric(const nlohmann::json& value, int decimals = 4) {
  if (!value.is_number()) return "-";
  return format("%.*f", decimals, value.get<double>());
}

// The change of a metric from the previous step, with its sign, or "".
std::string change(const nlohmann::json& now, const nlohmann::json& before) {
  if (!now.is_number() || !before.is_number()) return "";
  return format("%+.4f", now.get<double>() - before.get<double>());
}

std::string count(const nlohmann::json& value) {
  std::string digits = std::to_string(value.get<std::size_t>());
  for (int k = static_cast<int>(digits.size()) - 3; k > 0; k -= 3) digits.insert(k, ",");
  return digits;
}

// "1 rating", "1,234 ratings".
std::string ratings(const nlohmann::json& n) {
  return count(n) + (n.get<std::size_t>() == 1 ? " rating" : " ratings");
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string trees(int count) { return std::to_string(count) + (count == 1 ? " tree" : " trees"); }

// "RMSE 0.5956 (blend) -> 0.5900 (blend + trees)" for one "holdout" or "test" object.
std::string blend_to_stacker(const nlohmann::json& split) {
  return "RMSE " + metric(split["blend"]["rmse"]) + " (blend) -> " +
         metric(split["stacker"]["rmse"]) + " (blend + trees)";
}

// Whether the stacker kept no tree, so that its predictions are the blend's.
bool kept_blend_alone(const nlohmann::json& stacker) { return stacker["rounds"].get<int>() == 0; }

// The SVG's one-line caption: a short form of stacker_summary.
std::string stacker_caption(const nlohmann::json& stacker) {
  if (!stacker.value("trained", false)) {
    return "stacker not trained: " + stacker.value("skipped_reason", std::string("no reason recorded"));
  }
  if (kept_blend_alone(stacker)) {
    return "stacker: no tree improved the holdout RMSE " +
           metric(stacker["holdout"]["blend"]["rmse"]) + "; kept the blend alone";
  }
  return "stacker: kept " + trees(stacker["rounds"].get<int>()) + "; test " +
         blend_to_stacker(stacker["test"]);
}

}  // namespace

std::string stacker_summary(const nlohmann::json& stacker) {
  if (!stacker.value("trained", false)) {
    return "not trained: " + stacker.value("skipped_reason", std::string("no reason recorded"));
  }
  const std::string training = trees(stacker["rounds_tried"].get<int>()) +
                               " trained before early stopping on " +
                               ratings(stacker["n_train"]) + " of validation, holdout of " +
                               ratings(stacker["n_holdout"]);
  if (kept_blend_alone(stacker)) {
    return "no tree improved the holdout RMSE " + metric(stacker["holdout"]["blend"]["rmse"]) +
           " of the blend; kept the blend alone (" + training + "); test RMSE " +
           metric(stacker["test"]["blend"]["rmse"]) + " (blend alone)";
  }
  return "kept " + std::to_string(stacker["rounds"].get<int>()) + " of " + training + "; holdout " +
         blend_to_stacker(stacker["holdout"]) + "; test " + blend_to_stacker(stacker["test"]);
}

namespace {

std::string escape_xml(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '&': escaped += "&amp;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

}  // namespace

nlohmann::json ensemble_to_json(const EnsembleResult& result, const nlohmann::json& provenance) {
  nlohmann::json beta = nlohmann::json::object();
  for (std::size_t a = 0; a < result.alphas.size(); ++a) beta[result.alphas[a]] = result.beta[a];

  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : result.steps) {
    steps.push_back({{"alpha", step.alpha},
                     {"beta", step.beta},
                     {"validation", metrics_json(step.validation)},
                     {"test", metrics_json(step.test)}});
  }

  const StackerResult& s = result.stacker;
  nlohmann::json stacker = {{"trained", s.trained}, {"settings", settings_json(s.settings)}};
  if (s.trained) {
    stacker["rounds"] = s.rounds;
    stacker["improves_holdout"] = s.rounds > 0;
    stacker["rounds_tried"] = s.rounds_tried;
    stacker["n_train"] = s.n_train;
    stacker["n_holdout"] = s.n_holdout;
    stacker["holdout_rmse_by_round"] = s.holdout_rmse;
    stacker["holdout"] = {{"blend", metrics_json(s.holdout_blend)},
                          {"stacker", metrics_json(s.holdout_stacker)}};
    stacker["test"] = {{"blend", metrics_json(result.test)},
                       {"stacker", metrics_json(s.test_stacker)}};
  } else {
    stacker["skipped_reason"] = s.skipped_reason;
  }

  return {{"name", result.name},
          {"kind", "ensemble"},
          {"alphas", result.alphas},
          {"scale", {result.scale.min, result.scale.max}},
          {"blend",
           {{"beta", beta},
            {"validation", metrics_json(result.validation)},
            {"test", metrics_json(result.test)}}},
          {"steps", steps},
          {"stacker", stacker},
          {"provenance", provenance}};
}

std::string ensemble_text(const nlohmann::json& ensemble) {
  std::ostringstream out;
  const auto& blend = ensemble["blend"];
  const auto& alphas = ensemble["alphas"];
  out << "Ensemble " << ensemble["name"].get<std::string>() << ": linear blend of "
      << format_count(alphas.size(), "alpha") << ", beta fitted on "
      << ratings(blend["validation"]["n"])
      << " of validation, predictions clamped to [" << ensemble["scale"][0].get<double>()
      << ", " << ensemble["scale"][1].get<double>() << "]\n\n";

  std::size_t name_width = 13;
  for (const auto& alpha : alphas) name_width = std::max(name_width, alpha.get<std::string>().size());
  out << pad_left("step", 4) << "  " << pad("alpha joining", name_width) << "  " << pad_left("beta", 9)
      << "  " << pad_left("validation RMSE", 15) << "  " << pad_left("change", 8) << "  "
      << pad_left("test RMSE", 9) << "  " << pad_left("change", 8) << "\n";
  const auto& steps = ensemble["steps"];
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const auto& step = steps[k];
    const std::string alpha = step["alpha"].get<std::string>();
    const std::string beta = format("%.4f", blend["beta"][alpha].get<double>());
    const std::string validation_change = k == 0 ? "" : change(step["validation"]["rmse"], steps[k - 1]["validation"]["rmse"]);
    const std::string test_change = k == 0 ? "" : change(step["test"]["rmse"], steps[k - 1]["test"]["rmse"]);
    out << pad_left(std::to_string(k + 1), 4) << "  " << pad(alpha, name_width) << "  "
        << pad_left(beta, 9) << "  " << pad_left(metric(step["validation"]["rmse"]), 15) << "  "
        << pad_left(validation_change, 8) << "  " << pad_left(metric(step["test"]["rmse"]), 9)
        << "  " << pad_left(test_change, 8) << "\n";
  }
  out << "\nEach row's RMSE is that of the blend of the alphas up to it, with weights refitted "
         "on those alone.\nbeta is each alpha's weight in the final blend of all "
      << format_count(steps.size(), "alpha") << ".\n";
  for (const char* split : {"validation", "test"}) {
    const auto& m = blend[split];
    out << "blend " << pad(split, 10) << "  RMSE " << metric(m["rmse"]) << "  MAE "
        << metric(m["mae"]) << "  R2 " << metric(m["r2"]) << "  (" << ratings(m["n"]) << ")\n";
  }
  out << "stacker: " << stacker_summary(ensemble["stacker"]) << "\n";
  return out.str();
}

std::string ensemble_markdown(const nlohmann::json& ensemble) {
  std::ostringstream out;
  const std::string name = ensemble["name"].get<std::string>();
  const auto& blend = ensemble["blend"];
  const auto& steps = ensemble["steps"];
  out << "# Ensemble " << name << "\n\n"
      << "Linear blend of " << format_count(ensemble["alphas"].size(), "alpha")
      << ". beta is fitted by least "
      << "squares without intercept on the " << ratings(blend["validation"]["n"])
      << " of validation, and every prediction is clamped to the rating scale ["
      << ensemble["scale"][0].get<double>() << ", " << ensemble["scale"][1].get<double>()
      << "]. The test split (" << ratings(blend["test"]["n"])
      << ") takes no part in fitting.\n\n"
      << "## Alphas joining the blend\n\n"
      << "The RMSE of row k is that of the blend of the first k alphas, with weights refitted "
      << "on those k alone, and the change columns show what each alpha adds. The final beta "
      << "column is each alpha's weight in the final blend of all "
      << format_count(steps.size(), "alpha") << ", not a weight of row k's refit.\n\n"
      << "| step | alpha joining | final beta | validation RMSE | change | test RMSE | change |\n"
      << "|---:|---|---:|---:|---:|---:|---:|\n";

  for (std::size_t k = 0; k < steps.size(); ++k) {
    const auto& step = steps[k];
    const std::string alpha = step["alpha"].get<std::string>();
    out << "| " << k + 1 << " | " << alpha << " | "
        << format("%.4f", blend["beta"][alpha].get<double>()) << " | "
        << metric(step["validation"]["rmse"]) << " | "
        << (k == 0 ? "" : change(step["validation"]["rmse"], steps[k - 1]["validation"]["rmse"]))
        << " | " << metric(step["test"]["rmse"]) << " | "
        << (k == 0 ? "" : change(step["test"]["rmse"], steps[k - 1]["test"]["rmse"])) << " |\n";
  }

  out << "\n![RMSE as alphas join the blend](" << name << ".svg)\n\n"
      << "## Final blend\n\n"
      << "| split | RMSE | MAE | R² | ratings |\n|---|---:|---:|---:|---:|\n";
  for (const char* split : {"validation", "test"}) {
    const auto& m = blend[split];
    out << "| " << split << " | " << metric(m["rmse"]) << " | " << metric(m["mae"]) << " | "
        << metric(m["r2"]) << " | " << count(m["n"]) << " |\n";
  }

  const auto& stacker = ensemble["stacker"];
  out << "\n## Stacker\n\n"
      << "Gradient-boosted trees (XGBoost) on the residual of the blend, with the alphas' "
      << "predictions and the blend as features, trained on part of validation. The number "
      << "of trees kept is the one with the lowest RMSE on the rest of validation (the "
      << "holdout), and zero when no tree beats the blend alone there.\n\n"
      << "Outcome: " << stacker_summary(stacker) << ".\n";
  if (stacker.value("trained", false) && !kept_blend_alone(stacker)) {
    out << "\n| rows | blend RMSE | blend + trees RMSE |\n|---|---:|---:|\n"
        << "| validation holdout | " << metric(stacker["holdout"]["blend"]["rmse"]) << " | "
        << metric(stacker["holdout"]["stacker"]["rmse"]) << " |\n"
        << "| test | " << metric(stacker["test"]["blend"]["rmse"]) << " | "
        << metric(stacker["test"]["stacker"]["rmse"]) << " |\n";
  }
  return out.str();
}

std::string ensemble_svg(const nlohmann::json& ensemble) {
  // Plot area inside margins; x = number of alphas blended, y = RMSE.
  // The bottom margin contains the slanted alpha names, then the stacker's caption.
  const double width = 720, height = 444;
  const double left = 90, right = 20, top = 40, bottom = 174;
  const double plot_width = width - left - right, plot_height = height - top - bottom;
  const auto& steps = ensemble["steps"];
  const std::size_t n = steps.size();

  double low = 1e300, high = -1e300;
  for (const auto& step : steps) {
    for (const char* split : {"validation", "test"}) {
      const auto& rmse = step[split]["rmse"];
      if (!rmse.is_number()) continue;
      low = std::min(low, rmse.get<double>());
      high = std::max(high, rmse.get<double>());
    }
  }
  if (low > high) low = 0, high = 1;  // no finite value: an empty frame
  const double margin = std::max(1e-6, (high - low) * 0.08);
  low -= margin;
  high += margin;
  auto x_of = [&](std::size_t k) {
    return left + (n <= 1 ? plot_width / 2 : plot_width * double(k) / double(n - 1));
  };
  auto y_of = [&](double rmse) { return top + plot_height * (high - rmse) / (high - low); };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" "
      << "font-size=\"11\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << width / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
      << escape_xml("Ensemble " + ensemble["name"].get<std::string>() +
                    ": RMSE as alphas join the blend")
      << "</text>\n"
      << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_width << "\" height=\""
      << plot_height << "\" fill=\"none\" stroke=\"#444\"/>\n";

  // Five horizontal grid lines with RMSE labels.
  for (int g = 0; g <= 4; ++g) {
    const double value = low + (high - low) * g / 4.0;
    const double y = y_of(value);
    svg << "<line x1=\"" << left << "\" x2=\"" << left + plot_width << "\" y1=\"" << y
        << "\" y2=\"" << y << "\" stroke=\"#ddd\"/>\n"
        << "<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
        << format("%.4f", value) << "</text>\n";
  }
  // One tick per step, labelled with the alpha that joined. Each label ends
  // at its tick and runs down to the left, so long names stay in the image.
  for (std::size_t k = 0; k < n; ++k) {
    const double x = x_of(k);
    svg << "<line x1=\"" << x << "\" x2=\"" << x << "\" y1=\"" << top + plot_height << "\" y2=\""
        << top + plot_height + 4 << "\" stroke=\"#444\"/>\n"
        << "<text transform=\"translate(" << x + 3 << "," << top + plot_height + 10
        << ") rotate(-45)\" text-anchor=\"end\">" << escape_xml(steps[k]["alpha"].get<std::string>()) << "</text>\n";
  }
  svg << "<text transform=\"translate(18," << top + plot_height / 2
      << ") rotate(-90)\" text-anchor=\"middle\">RMSE</text>\n";

  const struct {
    const char* split;
    const char* color;
  } series[] = {{"validation", "#1f77b4"}, {"test", "#ff7f0e"}};
  for (const auto& s : series) {
    std::string points;
    for (std::size_t k = 0; k < n; ++k) {
      const auto& rmse = steps[k][s.split]["rmse"];
      if (!rmse.is_number()) continue;
      points += format("%.2f,%.2f ", x_of(k), y_of(rmse.get<double>()));
      svg << "<circle cx=\"" << x_of(k) << "\" cy=\"" << y_of(rmse.get<double>())
          << "\" r=\"3\" fill=\"" << s.color << "\"/>\n";
    }
    svg << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\" points=\""
        << points << "\"/>\n";
  }
  // Legend in the top right corner of the plot.
  for (int k = 0; k < 2; ++k) {
    const double y = top + 14 + 16 * k;
    svg << "<line x1=\"" << left + plot_width - 110 << "\" x2=\"" << left + plot_width - 90
        << "\" y1=\"" << y - 4 << "\" y2=\"" << y - 4 << "\" stroke=\"" << series[k].color
        << "\" stroke-width=\"2\"/>\n"
        << "<text x=\"" << left + plot_width - 84 << "\" y=\"" << y << "\">" << series[k].split
        << " RMSE</text>\n";
  }
  svg << "<text x=\"" << left << "\" y=\"" << height - 10 << "\">"
      << escape_xml(stacker_caption(ensemble["stacker"])) << "</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace alphas
