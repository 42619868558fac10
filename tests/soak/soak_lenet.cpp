// The soak run: LeNet-5 trained for many steps on real MNIST images with a plain C++ loop (shuffled
// loader with prefetch and random translations, forward, cross-entropy, backward, SGD with
// momentum, a checkpoint every 2,000 steps, an evaluation every 5,000), resident memory sampled
// from /proc/self/statm. After the warm-up, memory must not grow: the exit status is 1 if the
// largest sample after it exceeds the largest during it by more than --max-growth-kib.
//
//   soak_lenet --data DIR [--steps 20000] [--warmup 1000] [--every 500] [--max-growth-kib 64] [--csv FILE]
//
// scripts/soak.sh runs the full 20,000 steps; ctest (soak.lenet) a bounded 3,000.
#include <ember/ember.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using namespace ember;

namespace {

int64_t resident_kib() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE) / 1024;
}

struct Options {
  std::string data, csv;
  int64_t steps = 20000, warmup = 1000, every = 500, max_growth_kib = 64;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    EMBER_CHECK(i + 1 < argc, "soak_lenet: {} needs a value", flag);
    const std::string value = argv[++i];
    if (flag == "--data") o.data = value;
    else if (flag == "--csv") o.csv = value;
    else if (flag == "--steps") o.steps = std::stoll(value);
    else if (flag == "--warmup") o.warmup = std::stoll(value);
    else if (flag == "--every") o.every = std::stoll(value);
    else if (flag == "--max-growth-kib") o.max_growth_kib = std::stoll(value);
    else fail("soak_lenet: unknown flag {}", flag);
  }
  EMBER_CHECK(!o.data.empty(), "soak_lenet: --data DIR (MNIST's IDX files) is required");
  EMBER_CHECK(o.steps > o.warmup && o.warmup > 0 && o.every > 0, "soak_lenet: need steps > warmup > 0 and every > 0");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    auto train_set = std::make_shared<data::ImageDataset>(data::load_mnist(o.data, data::Split::train));
    auto test_set = std::make_shared<data::ImageDataset>(data::load_mnist(o.data, data::Split::test));
    data::TransformList transforms = {std::make_shared<data::ScaleTo01>(), std::make_shared<data::RandomTranslate>(2)};
    data::DataLoader train_data(train_set, data::DataLoaderOptions().batch_size(64).shuffle(true).seed(1)
                                               .drop_last(true).transforms(transforms));
    data::DataLoader test_data(test_set, data::DataLoaderOptions().batch_size(500)
                                             .transforms({std::make_shared<data::ScaleTo01>()}));
    manual_seed(1);
    auto model = std::make_shared<models::LeNet5>();
    optim::SGD sgd(model->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    const std::string checkpoint =
        (std::filesystem::temp_directory_path() / ("soak_lenet_" + std::to_string(::getpid()) + ".safetensors")).string();

    std::string csv = "step,rss_kib,storage_system_allocations,loss\n";
    int64_t step = 0, baseline = 0, peak_after = 0;
    double loss_value = 0;
    fmt::print("soak: LeNet-5, {} steps of 64 images, RSS every {} steps (warm-up {})\n", o.steps, o.every, o.warmup);
    for (int64_t epoch = 0; step < o.steps; ++epoch) {
      for (const data::Batch& batch : train_data.epoch(epoch)) {
        if (step == o.steps) break;
        const Tensor loss = cross_entropy((*model)(batch.images), batch.labels);
        sgd.zero_grad();
        loss.backward();
        sgd.step();
        loss_value = loss.item();
        ++step;
        // Both also once in the warm-up, so that their first-time allocations are not counted as growth.
        const bool warming = step == o.warmup / 2;
        if (step % 2000 == 0 || warming) nn::save(*model, checkpoint);
        if (step % 5000 == 0 || warming) {
          const train::Evaluation e = train::evaluate(*model, test_data);
          fmt::print("step {}: test accuracy {:.2f}%\n", step, 100 * e.accuracy);
        }
        if (step % o.every == 0) {
          const int64_t rss = resident_kib();
          const int64_t allocations = allocator_stats().system_allocations;
          csv += fmt::format("{},{},{},{:.4f}\n", step, rss, allocations, loss_value);
          fmt::print("step {:>6}  rss {:>7} KiB  storage system allocations {:>5}  loss {:.4f}\n", step, rss,
                     allocations, loss_value);
          std::fflush(stdout);
          // Growth is measured against the warm-up's peak, not its last sample: glibc gives back
          // the evaluation's buffers between evaluations, and taking them again is not growth.
          if (step <= o.warmup) baseline = std::max(baseline, rss);
          if (step > o.warmup) peak_after = std::max(peak_after, rss);
        }
      }
    }
    std::filesystem::remove(checkpoint);
    if (!o.csv.empty()) write_file_atomically(o.csv, csv);
    const int64_t growth = peak_after - baseline;
    fmt::print("soak: RSS peak during the warm-up {} KiB, largest after it {} KiB: growth {} KiB (allowed {})\n",
               baseline, peak_after, std::max<int64_t>(growth, 0), o.max_growth_kib);
    return growth <= o.max_growth_kib ? 0 : 1;
  } catch (const Error& e) {
    fmt::print(stderr, "soak_lenet: {}\n", e.what());
    return 2;
  } catch (const std::logic_error&) {
    fmt::print(stderr, "soak_lenet: flag values must be numbers\n");
    return 2;
  }
}
