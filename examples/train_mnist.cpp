// Training LeNet-5 on MNIST with the C++ API: README.md's "Training in C++" shows this file
// verbatim from the #include on (ctest examples.readme_block.train_mnist compares them).
//   train_mnist [data_dir]     default data/mnist; writes runs/lenet5-cpp in the current folder
// The tests run it on the committed 1000-image subset, and on a folder that does not exist.
#include <ember/ember.h>

using namespace ember;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "data/mnist";  // MNIST's four IDX files, raw or .gz
  try {
    auto train_set = std::make_shared<data::ImageDataset>(data::load_mnist(dir, data::Split::train));
    auto test_set = std::make_shared<data::ImageDataset>(data::load_mnist(dir, data::Split::test));
    auto scale = std::make_shared<data::ScaleTo01>();
    auto train_data = std::make_shared<data::DataLoader>(
        train_set, data::DataLoaderOptions().batch_size(64).shuffle(true).seed(1).transforms({scale}));
    auto test_data = std::make_shared<data::DataLoader>(
        test_set, data::DataLoaderOptions().batch_size(1000).transforms({scale}));
    manual_seed(1);
    auto model = std::make_shared<models::LeNet5>();
    auto sgd = std::make_shared<optim::SGD>(model->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    train::Trainer trainer(model, sgd, train_data, test_data,
                           train::TrainerOptions().epochs(3).run_dir("runs/lenet5-cpp"));
    trainer.on_epoch_end([](const train::EpochRecord& r) {
      fmt::print("after epoch {}: test accuracy {:.2f}%\n", r.epoch, 100 * r.test_accuracy);
    });
    trainer.fit();  // config.json, metrics, checkpoints/, report/index.html in runs/lenet5-cpp
  } catch (const Error& e) {  // a missing dataset names the folder and the files it needs
    fmt::print(stderr, "train_mnist: {}\n", e.what());
    return 1;
  }
}
