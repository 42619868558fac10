// Transposed convolution vs resize-convolution in a decoder, side by side: trains the conv
// autoencoder twice on MNIST (same seed, data and steps; only the decoder differs) and writes a
// PNG of test digits: input | transposed-conv reconstruction | resize-conv reconstruction |
// the two errors |reconstruction - input| amplified x4, where a checkerboard shows as a grid.
//   autoencoder_decoders [data_dir] [steps] [out.png]    defaults: data/mnist 600 decoders.png
// experiments/autoencoder-decoders.sh runs it; the tests run it for a few steps on the committed
// MNIST subset.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

#include <ember/ember.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

using namespace ember;

namespace {

constexpr int kDigits = 8, kZoom = 4, kGap = 4, kSide = 28;

// Trains one autoencoder with `decoder` and returns its reconstructions of `images`.
Tensor train_and_reconstruct(models::AutoencoderDecoder decoder, const std::shared_ptr<data::DataLoader>& loader,
                             int64_t steps, const Tensor& images, const char* name) {
  manual_seed(1);
  models::ConvAutoencoder model(models::ConvAutoencoderOptions().decoder(decoder));
  optim::Adam adam(model.parameters(), optim::AdamOptions(2e-3));
  const auto start = std::chrono::steady_clock::now();
  int64_t step = 0;
  float loss_value = 0;
  for (int64_t epoch = 0; step < steps; ++epoch) {
    for (const data::Batch& batch : loader->epoch(epoch)) {
      if (step++ == steps) break;
      adam.zero_grad();
      Tensor loss = mse_loss(model(batch.images), batch.images);
      loss.backward();
      adam.step();
      loss_value = loss.item();
    }
  }
  model.eval();
  NoGradGuard no_grad;
  const Tensor out = model(images);
  const float test_loss = mse_loss(out, images).item();
  fmt::print("{:<11} {} steps in {:.1f} s, last batch MSE {:.4f}, MSE on the pictured digits {:.4f}\n", name, steps,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), loss_value, test_loss);
  return out;
}

// The stride-2 checkerboard's signature: the reconstruction's energy at the highest frequencies,
// its correlation with (-1)^x, (-1)^y and (-1)^(x+y), per pixel, on the background only (input
// pixels below 0.05), where a clean decoder outputs a flat black and the digit's own edges do not count.
double checkerboard(const Tensor& reconstruction, const Tensor& input) {
  const Tensor r = reconstruction.contiguous(), in = input.contiguous();
  const float* v = r.data<float>();
  const float* background = in.data<float>();
  double total = 0;
  for (int d = 0; d < kDigits; ++d) {
    double sx = 0, sy = 0, sxy = 0;
    for (int y = 0; y < kSide; ++y) {
      for (int x = 0; x < kSide; ++x) {
        const int64_t i = (d * kSide + y) * kSide + x;
        const double p = background[i] < 0.05f ? v[i] : 0.0;
        sx += (x % 2 ? -p : p);
        sy += (y % 2 ? -p : p);
        sxy += ((x + y) % 2 ? -p : p);
      }
    }
    total += (std::abs(sx) + std::abs(sy) + std::abs(sxy)) / (kSide * kSide);
  }
  return total / kDigits;
}

// Columns of kDigits rows: each [N, 1, 28, 28] tensor in [0, 1] becomes one column of tiles.
void write_columns(const std::vector<Tensor>& columns, const std::string& path) {
  const int tile = kSide * kZoom, cols = static_cast<int>(columns.size());
  const int width = cols * tile + (cols + 1) * kGap, height = kDigits * tile + (kDigits + 1) * kGap;
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height, 96);  // gray gaps
  for (int c = 0; c < cols; ++c) {
    const Tensor t = columns[c].contiguous();
    const float* v = t.data<float>();
    for (int d = 0; d < kDigits; ++d) {
      for (int y = 0; y < tile; ++y) {
        for (int x = 0; x < tile; ++x) {
          const float p = std::clamp(v[(d * kSide + y / kZoom) * kSide + x / kZoom], 0.0f, 1.0f);
          const int px = kGap + c * (tile + kGap) + x, py = kGap + d * (tile + kGap) + y;
          pixels[static_cast<size_t>(py) * width + px] = static_cast<unsigned char>(p * 255.0f + 0.5f);
        }
      }
    }
  }
  EMBER_CHECK(stbi_write_png(path.c_str(), width, height, 1, pixels.data(), width) != 0, "cannot write {}", path);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "data/mnist";
  const std::string out = argc > 3 ? argv[3] : "decoders.png";
  try {
    const int64_t steps = argc > 2 ? std::stoll(argv[2]) : 600;
    auto train_set = std::make_shared<data::ImageDataset>(data::load_mnist(dir, data::Split::train));
    const data::ImageDataset test_set(data::load_mnist(dir, data::Split::test));
    auto scale = std::make_shared<data::ScaleTo01>();
    auto loader = std::make_shared<data::DataLoader>(
        train_set, data::DataLoaderOptions().batch_size(64).shuffle(true).seed(1).transforms({scale}));
    // The first test image of each of the first kDigits classes.
    std::vector<Tensor> picked;
    for (int64_t label = 0, i = 0; label < kDigits && i < test_set.size(); ++i) {
      const data::Example e = test_set.get(i);
      if (e.label != label) continue;
      picked.push_back(div(e.image, 255.0f).unsqueeze(0));
      ++label;
    }
    EMBER_CHECK(static_cast<int>(picked.size()) == kDigits, "{}: the test set lacks some of the digits 0-{}", dir,
                kDigits - 1);
    const Tensor images = cat(picked, 0);
    const Tensor transposed =
        train_and_reconstruct(models::AutoencoderDecoder::transposed, loader, steps, images, "transposed");
    const Tensor resize = train_and_reconstruct(models::AutoencoderDecoder::resize, loader, steps, images, "resize");
    const Tensor transposed_error = sub(transposed, images), resize_error = sub(resize, images);
    fmt::print("checkerboard energy on the background (|sum r * (-1)^x| + (-1)^y + (-1)^(x+y), per pixel): "
               "transposed {:.6f}, resize {:.6f}\n",
               checkerboard(transposed, images), checkerboard(resize, images));
    write_columns({images, transposed, resize, mul(ember::abs(transposed_error), 4.0f),
                   mul(ember::abs(resize_error), 4.0f)},
                  out);
    fmt::print("wrote {} (input | transposed conv | resize conv | their errors x4)\n", out);
  } catch (const Error& e) {
    fmt::print(stderr, "autoencoder_decoders: {}\n", e.what());
    return 1;
  } catch (const std::logic_error&) {
    fmt::print(stderr, "usage: autoencoder_decoders [data_dir] [steps] [out.png]; steps must be a number\n");
    return 2;
  }
}
