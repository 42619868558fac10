#pragma once
// Classification metrics over a whole dataset: mean loss, accuracy, top-k accuracy and the
// confusion matrix, computed in eval mode without recording a graph.
#include <cstdint>
#include <functional>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/data/dataloader.h"
#include "ember/nn/module.h"

namespace ember::train {

// Counts for one batch of logits [B, K] and labels [B]; adds into a running total.
struct ClassificationCounts {
  int64_t count = 0, correct = 0, topk_correct = 0;
  double loss_sum = 0;                 // sum over examples of the cross-entropy
  std::vector<int64_t> confusion;      // K*K, row = true class, column = predicted (if K > 0)
  int64_t num_classes = 0;

  // Adds a batch. `loss_mean` is the batch's mean loss; confusion is kept when track_confusion.
  void add(const Tensor& logits, const Tensor& labels, double loss_mean, int64_t topk, bool track_confusion);
  double accuracy() const { return count ? static_cast<double>(correct) / static_cast<double>(count) : 0.0; }
  double topk_accuracy() const { return count ? static_cast<double>(topk_correct) / static_cast<double>(count) : 0.0; }
  double loss() const { return count ? loss_sum / static_cast<double>(count) : 0.0; }
};

struct Evaluation {
  double loss = 0, accuracy = 0, topk_accuracy = 0;
  int64_t topk = 5, count = 0, num_classes = 0;
  std::vector<int64_t> confusion;  // num_classes^2
  // Predicted class per example, in the loader's order (for ensembles).
  std::vector<int64_t> predictions;
};

// Told (batches done, batches in all) when an evaluation starts (done 0) and after each of its
// batches: a progress display's hook, so that metrics know nothing of printing.
using EvaluationProgress = std::function<void(int64_t done, int64_t total)>;

// Runs the model over every batch (eval mode, no grad; the mode is restored afterwards).
Evaluation evaluate(nn::Module& model, const data::DataLoader& loader, int64_t topk = 5,
                    const EvaluationProgress& progress = {});

// One process's share of an evaluation spread over `num_shards` (data-parallel training): the
// counts, confusion included (num_classes^2, zeros if this shard has no batch), of the loader's
// batches b with b % num_shards == shard. Summing every shard's counts gives evaluate()'s.
// `progress` counts this shard's batches.
ClassificationCounts evaluate_counts(nn::Module& model, const data::DataLoader& loader, int64_t topk, int64_t shard,
                                     int64_t num_shards, int64_t num_classes, const EvaluationProgress& progress = {});
// An Evaluation (without predictions) from counts with a confusion matrix.
Evaluation evaluation_from_counts(ClassificationCounts counts, int64_t topk);

// Softmax probabilities [N, K] of the model over the loader, in order (for ensembles).
Tensor predict_probabilities(nn::Module& model, const data::DataLoader& loader);

}  // namespace ember::train
