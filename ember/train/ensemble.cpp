#include "ember/train/ensemble.h"

#include "ember/core/error.h"
#include "ember/train/metrics.h"

namespace ember::train {

EnsembleResult evaluate_ensemble(const std::vector<std::shared_ptr<nn::Module>>& models,
                                 const data::DataLoader& loader) {
  EMBER_CHECK(!models.empty(), "evaluate_ensemble: no models given");
  std::vector<Tensor> probabilities;  // [N, K] per model
  for (const auto& model : models) {
    EMBER_CHECK(model != nullptr, "evaluate_ensemble: a model is null");
    probabilities.push_back(predict_probabilities(*model, loader).contiguous());
  }
  const int64_t n = probabilities[0].size(0), k = probabilities[0].size(1);
  for (const Tensor& p : probabilities) {
    EMBER_CHECK(p.size(0) == n && p.size(1) == k, "evaluate_ensemble: models disagree on the output shape ({} vs {})",
                shape_str(p.shape()), shape_str(probabilities[0].shape()));
  }
  std::vector<int64_t> labels;
  for (const data::Batch& batch : loader.epoch(0)) {
    const Tensor y = batch.labels.contiguous();
    labels.insert(labels.end(), y.data<int64_t>(), y.data<int64_t>() + y.numel());
  }
  EnsembleResult result;
  result.count = n;
  std::vector<int64_t> member_correct(models.size(), 0);
  int64_t vote_correct = 0, average_correct = 0;
  std::vector<double> votes(static_cast<size_t>(k)), sums(static_cast<size_t>(k));
  for (int64_t i = 0; i < n; ++i) {
    std::fill(votes.begin(), votes.end(), 0.0);
    std::fill(sums.begin(), sums.end(), 0.0);
    for (size_t m = 0; m < models.size(); ++m) {
      const float* row = probabilities[m].data<float>() + i * k;
      int64_t top = 0;
      for (int64_t c = 0; c < k; ++c) {
        sums[static_cast<size_t>(c)] += row[c];
        if (row[c] > row[top]) top = c;
      }
      votes[static_cast<size_t>(top)] += 1;
      member_correct[m] += top == labels[static_cast<size_t>(i)];
    }
    int64_t voted = 0, averaged = 0;
    for (int64_t c = 1; c < k; ++c) {
      const size_t s = static_cast<size_t>(c), v = static_cast<size_t>(voted);
      if (votes[s] > votes[v] || (votes[s] == votes[v] && sums[s] > sums[v])) voted = c;
      if (sums[s] > sums[static_cast<size_t>(averaged)]) averaged = c;
    }
    vote_correct += voted == labels[static_cast<size_t>(i)];
    average_correct += averaged == labels[static_cast<size_t>(i)];
  }
  for (int64_t c : member_correct) result.member_accuracy.push_back(static_cast<double>(c) / static_cast<double>(n));
  result.vote_accuracy = static_cast<double>(vote_correct) / static_cast<double>(n);
  result.average_accuracy = static_cast<double>(average_correct) / static_cast<double>(n);
  return result;
}

}  // namespace ember::train
