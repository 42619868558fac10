#include "ember/train/misclassified.h"

#include "ember/core/error.h"
#include "ember/train/filter_image.h"

namespace ember::train {

std::vector<MisclassifiedImage> first_misclassified(const data::DataLoader& loader,
                                                    const std::vector<int64_t>& predictions, size_t limit) {
  const std::vector<int64_t> order = loader.order(0);
  EMBER_CHECK(predictions.size() <= order.size(), "first_misclassified: {} predictions for a loader of {} examples",
              predictions.size(), order.size());
  std::vector<MisclassifiedImage> found;
  for (size_t i = 0; i < predictions.size() && found.size() < limit; ++i) {
    data::Example example = loader.dataset().get(order[i]);
    if (example.label == predictions[i]) continue;
    found.push_back({order[i], example.label, predictions[i], image_png(example.image)});
  }
  return found;
}

}  // namespace ember::train
