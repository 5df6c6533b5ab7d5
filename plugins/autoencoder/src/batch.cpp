#include "batch.hpp"

#include <cmath>

#include <tbb/parallel_for.h>

namespace alphas::autoencoder {
namespace {

// The entries of one sample before they are concatenated into the batch.
struct SampleRows {
  std::vector<int64_t> input_columns;
  std::vector<float> input_values;
  std::vector<int64_t> output_items;
  std::vector<float> output_targets;
  std::vector<int64_t> implicit_items;
  std::vector<float> implicit_weights;
};

// Concatenates per-sample vectors into `flat` with `offsets` (size + 1).
template <class T, class Member>
void concatenate(const std::vector<SampleRows>& rows, Member member, std::vector<int64_t>& offsets,
                 std::vector<T>& flat) {
  offsets.assign(rows.size() + 1, 0);
  for (std::size_t b = 0; b < rows.size(); ++b) {
    offsets[b + 1] = offsets[b] + static_cast<int64_t>((rows[b].*member).size());
  }
  flat.resize(static_cast<std::size_t>(offsets.back()));
  tbb::parallel_for(std::size_t{0}, rows.size(), [&](std::size_t b) {
    std::copy((rows[b].*member).begin(), (rows[b].*member).end(), flat.begin() + offsets[b]);
  });
}

template <class T, class Member>
void concatenate_values(const std::vector<SampleRows>& rows, Member member,
                        const std::vector<int64_t>& offsets, std::vector<T>& flat) {
  flat.resize(static_cast<std::size_t>(offsets.back()));
  tbb::parallel_for(std::size_t{0}, rows.size(), [&](std::size_t b) {
    std::copy((rows[b].*member).begin(), (rows[b].*member).end(), flat.begin() + offsets[b]);
  });
}

}  // namespace

std::vector<int64_t> SparseBatch::output_samples() const {
  std::vector<int64_t> samples(output_items.size());
  for (int64_t b = 0; b < size; ++b) {
    for (int64_t k = output_offsets[b]; k < output_offsets[b + 1]; ++k) samples[k] = b;
  }
  return samples;
}

void user_features(const TrainingData& data, int32_t user, int64_t listed, int64_t rated,
                   double raw_sum, float out[kFeatureCount]) {
  (void)user;
  const double n_items = static_cast<double>(data.n_items);
  const double mean_raw = raw_sum / static_cast<double>(std::max<int64_t>(rated, 1));
  const float f[3] = {static_cast<float>(static_cast<double>(listed) / n_items),
                      static_cast<float>(static_cast<double>(rated) / n_items),
                      static_cast<float>(mean_raw / data.scale_max)};
  for (int j = 0; j < 3; ++j) {
    out[j] = f[j];
    out[3 + j] = f[j] * f[j];
    // A negative mean (a scale below zero) has no square root; 0 keeps the input finite.
    out[6 + j] = f[j] > 0 ? std::sqrt(f[j]) : 0.0f;
  }
}

SparseBatch BatchBuilder::build(const std::vector<Sample>& samples, Outputs outputs,
                                const std::optional<Dropout>& dropout,
                                const std::vector<std::vector<int32_t>>* requested) const {
  const TrainingData& d = data_;
  const int64_t width = d.input_width();
  const int64_t n_items = d.n_items;
  const float dropout_scale = dropout ? 1.0f / (1.0f - dropout->rate) : 1.0f;
  std::vector<SampleRows> rows(samples.size());

  tbb::parallel_for(std::size_t{0}, samples.size(), [&](std::size_t b) {
    const Sample& s = samples[b];
    SampleRows& out = rows[b];
    const int64_t sample_index = static_cast<int64_t>(b);
    auto add_input = [&](int64_t column, float value) {
      if (value == 0.0f) return;
      if (dropout) {
        if (!dropout->keep(sample_index, column, width)) return;
        value *= dropout_scale;
      }
      out.input_columns.push_back(column);
      out.input_values.push_back(value);
    };

    const bool has_row = s.user >= 0 && s.user < d.inputs.n_rows;
    int64_t listed = 0;
    int64_t rated = 0;
    double raw_sum = 0;
    if (has_row) {
      const int32_t u = s.user;
      listed = d.listed_count[u];
      rated = d.rated_count[u];
      raw_sum = d.raw_sum[u];
      out.input_columns.reserve(d.inputs.row_size(u) + d.listed.row_size(u) + kFeatureCount);
      out.input_values.reserve(out.input_columns.capacity());

      // Residual ratings, x_i = 0 for the held-out item.
      for (int64_t k = d.inputs.offsets[u]; k < d.inputs.offsets[u + 1]; ++k) {
        if (d.inputs.cols[k] == s.item) {
          --rated;
          raw_sum -= d.raw_values[k];
          continue;
        }
        add_input(d.inputs.cols[k], d.inputs.values[k]);
      }
      // Implicit 0/1 list, entry i = 0 for the held-out item.
      for (int64_t k = d.listed.offsets[u]; k < d.listed.offsets[u + 1]; ++k) {
        if (d.listed.cols[k] == s.item) {
          --listed;
          continue;
        }
        add_input(n_items + d.listed.cols[k], d.listed.values[k]);
      }
    }
    float features[kFeatureCount];
    user_features(d, s.user, listed, rated, raw_sum, features);
    for (int64_t j = 0; j < kFeatureCount; ++j) add_input(2 * n_items + j, features[j]);

    switch (outputs) {
      case Outputs::reconstruction:
        if (!has_row) break;
        for (int64_t k = d.targets.offsets[s.user]; k < d.targets.offsets[s.user + 1]; ++k) {
          if (d.targets.cols[k] == s.item) continue;
          out.output_items.push_back(d.targets.cols[k]);
          out.output_targets.push_back(d.targets.values[k]);
        }
        for (int64_t k = d.listed.offsets[s.user]; k < d.listed.offsets[s.user + 1]; ++k) {
          if (d.listed.cols[k] == s.item) continue;
          out.implicit_items.push_back(d.listed.cols[k]);
        }
        out.implicit_weights.assign(out.implicit_items.size(),
                                    1.0f / static_cast<float>(std::max<std::size_t>(out.implicit_items.size(), 1)));
        break;
      case Outputs::held_out:
        // A zero target is no loss term, as in training (the loss masks y != 0).
        if (s.target != 0.0f) {
          out.output_items.push_back(s.item);
          out.output_targets.push_back(s.target);
        }
        out.implicit_items.push_back(s.item);
        out.implicit_weights.push_back(1.0f);
        break;
      case Outputs::requested:
        if (requested != nullptr) {
          for (int32_t item : (*requested)[b]) out.output_items.push_back(item);
          out.output_targets.assign(out.output_items.size(), 0.0f);
        }
        break;
    }
  });

  SparseBatch batch;
  batch.size = static_cast<int64_t>(samples.size());
  batch.input_width = width;
  batch.n_items = n_items;
  concatenate(rows, &SampleRows::input_columns, batch.input_offsets, batch.input_columns);
  concatenate_values(rows, &SampleRows::input_values, batch.input_offsets, batch.input_values);
  concatenate(rows, &SampleRows::output_items, batch.output_offsets, batch.output_items);
  concatenate_values(rows, &SampleRows::output_targets, batch.output_offsets, batch.output_targets);
  concatenate(rows, &SampleRows::implicit_items, batch.implicit_offsets, batch.implicit_items);
  concatenate_values(rows, &SampleRows::implicit_weights, batch.implicit_offsets,
                     batch.implicit_weights);
  return batch;
}

}  // namespace alphas::autoencoder
