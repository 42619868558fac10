#pragma once
// Ensembles: several trained classifiers judged together on one dataset.
//   majority vote          each model votes for its top class; most votes wins, a tie goes to the
//                          tied class with the highest summed probability
//   averaged probabilities the class with the highest mean softmax probability
#include <memory>
#include <vector>

#include "ember/data/dataloader.h"
#include "ember/nn/module.h"

namespace ember::train {

struct EnsembleResult {
  std::vector<double> member_accuracy;  // each model alone
  double vote_accuracy = 0;
  double average_accuracy = 0;
  int64_t count = 0;
};

EnsembleResult evaluate_ensemble(const std::vector<std::shared_ptr<nn::Module>>& models,
                                 const data::DataLoader& loader);

}  // namespace ember::train
