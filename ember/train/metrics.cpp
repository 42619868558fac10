#include "ember/train/metrics.h"

#include <algorithm>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/ops/activation.h"
#include "ember/ops/loss.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember::train {

void ClassificationCounts::add(const Tensor& logits, const Tensor& labels, double loss_mean, int64_t topk,
                               bool track_confusion) {
  EMBER_CHECK(logits.dim() == 2 && labels.dim() == 1 && logits.size(0) == labels.size(0),
              "metrics: expected logits [B, K] and labels [B], got {} and {}", shape_str(logits.shape()), shape_str(labels.shape()));
  const Tensor l = logits.contiguous();
  const Tensor y = labels.contiguous();
  const int64_t batch = l.size(0), classes = l.size(1);
  if (num_classes == 0) {
    num_classes = classes;
    if (track_confusion) confusion.assign(static_cast<size_t>(classes * classes), 0);
  }
  EMBER_CHECK(classes == num_classes, "metrics: logits have {} classes, earlier batches had {}", classes, num_classes);
  const float* p = l.data<float>();
  const int64_t* t = y.data<int64_t>();
  for (int64_t i = 0; i < batch; ++i) {
    const float* row = p + i * classes;
    const int64_t truth = t[i];
    EMBER_CHECK(truth >= 0 && truth < classes, "metrics: label {} out of range for {} classes", truth, classes);
    // Predicted = first maximum (as argmax); rank of the true class = how many score strictly higher.
    int64_t predicted = 0, higher = 0;
    for (int64_t k = 1; k < classes; ++k) {
      if (row[k] > row[predicted]) predicted = k;
    }
    for (int64_t k = 0; k < classes; ++k) {
      if (row[k] > row[truth]) ++higher;
    }
    correct += predicted == truth;
    topk_correct += higher < topk;
    if (!confusion.empty()) ++confusion[static_cast<size_t>(truth * classes + predicted)];
  }
  count += batch;
  loss_sum += loss_mean * static_cast<double>(batch);
}

Evaluation evaluate(nn::Module& model, const data::DataLoader& loader, int64_t topk,
                    const EvaluationProgress& progress) {
  EMBER_CHECK(topk >= 1, "evaluate: topk must be >= 1, got {}", topk);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  ClassificationCounts counts;
  Evaluation result;
  try {
    const int64_t total = loader.num_batches();
    int64_t done = 0;
    if (progress) progress(done, total);
    for (const data::Batch& batch : loader.epoch(0)) {
      const Tensor logits = model(batch.images);
      const double loss = cross_entropy(logits, batch.labels).item();
      counts.add(logits, batch.labels, loss, topk, true);
      const Tensor predicted = argmax(logits, 1).contiguous();
      const int64_t* p = predicted.data<int64_t>();
      result.predictions.insert(result.predictions.end(), p, p + predicted.numel());
      if (progress) progress(++done, total);
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  std::vector<int64_t> predictions = std::move(result.predictions);
  result = evaluation_from_counts(std::move(counts), topk);
  result.predictions = std::move(predictions);
  return result;
}

Evaluation evaluation_from_counts(ClassificationCounts counts, int64_t topk) {
  Evaluation result;
  result.loss = counts.loss();
  result.accuracy = counts.accuracy();
  result.topk_accuracy = counts.topk_accuracy();
  result.topk = topk;
  result.count = counts.count;
  result.num_classes = counts.num_classes;
  result.confusion = std::move(counts.confusion);
  return result;
}

ClassificationCounts evaluate_counts(nn::Module& model, const data::DataLoader& loader, int64_t topk, int64_t shard,
                                     int64_t num_shards, int64_t num_classes, const EvaluationProgress& progress) {
  EMBER_CHECK(topk >= 1, "evaluate: topk must be >= 1, got {}", topk);
  EMBER_CHECK(num_shards >= 1 && shard >= 0 && shard < num_shards && num_classes >= 1,
              "evaluate: shard {} of {} with {} classes is impossible", shard, num_shards, num_classes);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  ClassificationCounts counts;
  counts.num_classes = num_classes;
  counts.confusion.assign(static_cast<size_t>(num_classes * num_classes), 0);
  try {
    const std::vector<int64_t> order = loader.order(0);
    const int64_t total = std::max<int64_t>(0, (loader.num_batches() - shard + num_shards - 1) / num_shards);
    int64_t done = 0;
    if (progress) progress(done, total);
    for (int64_t b = shard; b < loader.num_batches(); b += num_shards) {
      const data::Batch batch = loader.make_batch(order, 0, b);
      const Tensor logits = model(batch.images);
      counts.add(logits, batch.labels, cross_entropy(logits, batch.labels).item(), topk, true);
      if (progress) progress(++done, total);
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  return counts;
}

Tensor predict_probabilities(nn::Module& model, const data::DataLoader& loader) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  TensorList parts;
  for (const data::Batch& batch : loader.epoch(0)) parts.push_back(softmax(model(batch.images), 1));
  model.train(was_training);
  return cat(parts, 0);
}

}  // namespace ember::train
