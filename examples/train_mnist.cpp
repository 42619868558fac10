// Training LeNet-5 on MNIST with the C++ API (the README's "Training in C++").
//   train_mnist [data_dir] [epochs] [run_dir]     defaults: data/mnist 3 runs/lenet5-cpp
// The tests run it on the committed 1000-image subset for one epoch.
#include <ember/ember.h>

#include <string>

using namespace ember;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "data/mnist";
  const std::string run_dir = argc > 3 ? argv[3] : "runs/lenet5-cpp";
  try {
    const int64_t epochs = argc > 2 ? std::stoll(argv[2]) : 3;
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
                           train::TrainerOptions().epochs(epochs).run_dir(run_dir).progress(train::Progress::lines));
    trainer.on_epoch_end([](const train::EpochRecord& r) { fmt::print("test accuracy {:.2f}%\n", 100 * r.test_accuracy); });
    trainer.fit();
  } catch (const Error& e) {
    fmt::print(stderr, "train_mnist: {}\n", e.what());
    return 1;
  } catch (const std::logic_error&) {
    fmt::print(stderr, "usage: train_mnist [data_dir] [epochs] [run_dir]; epochs must be a number\n");
    return 2;
  }
}
