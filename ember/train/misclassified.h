#pragma once
// The report's misclassified test images, found from an evaluation's predictions.
#include <cstddef>
#include <vector>

#include "ember/data/dataloader.h"
#include "ember/train/report.h"

namespace ember::train {

// The first `limit` examples, in the loader's order of epoch 0 (the order evaluate() reads), whose
// prediction (evaluate()'s Evaluation::predictions, one per example in that order) is not the
// label, each with its dataset index, labels and image as a PNG (image_png; the dataset's image,
// before the loader's transforms). Only the examples up to the last one found are read.
std::vector<MisclassifiedImage> first_misclassified(const data::DataLoader& loader,
                                                    const std::vector<int64_t>& predictions, size_t limit = 32);

}  // namespace ember::train
