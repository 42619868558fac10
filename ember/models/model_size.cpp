#include "ember/models/model_size.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

#include "ember/core/error.h"

#include "ember/models/alexnet.h"
#include "ember/models/autoencoder.h"
#include "ember/models/dilated.h"
#include "ember/models/inception.h"
#include "ember/models/mnist_cnn.h"
#include "ember/models/mobilenet.h"
#include "ember/models/nin.h"
#include "ember/models/resnet.h"
#include "ember/models/simple_convnet.h"

namespace ember::models {

namespace {

// The parameters of the layers the zoo builds from, in double.
double conv(double in, double out, double k, double groups = 1, bool bias = true) {
  return out * (in / groups) * k * k + (bias ? out : 0);
}
double conv_transpose(double in, double out, double k) { return in * out * k * k + out; }
double linear(double in, double out) { return in * out + out; }
double batch_norm(double channels) { return 2 * channels; }

double lenet5(const ModelConfig& c, bool classic) {
  const double C = static_cast<double>(c.in_channels), K = static_cast<double>(c.num_classes);
  if (classic) return conv(C, 6, 5) + conv(6, 16, 5) + conv(16, 120, 5) + linear(120, 84) + linear(84, K);
  return conv(C, 6, 5) + conv(6, 16, 5) + linear(16 * 5 * 5, 120) + linear(120, 84) + linear(84, K);
}

double simplecnn(const ModelConfig& c) {
  const SimpleConvNetOptions o;
  const double pooled = std::max<double>(0, std::floor((static_cast<double>(c.input_size - o.kernel_size()) + 1) / 2));
  const double cc = static_cast<double>(o.conv_channels()), hidden = static_cast<double>(o.hidden());
  return conv(static_cast<double>(c.in_channels), cc, static_cast<double>(o.kernel_size())) +
         linear(cc * pooled * pooled, hidden) + linear(hidden, static_cast<double>(c.num_classes));
}

double mnist_cnn(const ModelConfig& c) {
  const MnistCnnOptions defaults;
  const auto& stages = c.conv_channels.empty() ? defaults.conv_channels() : c.conv_channels;
  const auto& hidden = c.hidden.empty() ? defaults.hidden() : c.hidden;
  const double k = static_cast<double>(defaults.kernel_size());
  double total = 0, channels = static_cast<double>(c.in_channels), size = static_cast<double>(c.input_size);
  for (int64_t out : stages) {
    total += conv(channels, static_cast<double>(out), k);
    channels = static_cast<double>(out);
    size = std::max<double>(0, std::floor((size - k + 1) / 2));
  }
  double width = channels * size * size;
  for (int64_t h : hidden) {
    total += linear(width, static_cast<double>(h));
    width = static_cast<double>(h);
  }
  return total + linear(width, static_cast<double>(c.num_classes));
}

double alexnet(const ModelConfig& c) {
  const double g = AlexNetOptions().two_tower() ? 2 : 1;
  return conv(static_cast<double>(c.in_channels), 96, 11) + conv(96, 256, 5, g) + conv(256, 384, 3) +
         conv(384, 384, 3, g) + conv(384, 256, 3, g) + linear(256 * 6 * 6, 4096) + linear(4096, 4096) +
         linear(4096, static_cast<double>(c.num_classes));
}

double alexnet_cifar(const ModelConfig& c) {
  return conv(static_cast<double>(c.in_channels), 64, 5) + conv(64, 64, 5) + linear(64 * 7 * 7, 384) +
         linear(384, 192) + linear(192, static_cast<double>(c.num_classes));
}

double nin(const ModelConfig& c) {
  const auto channels = NiNOptions().channels();
  const double c0 = static_cast<double>(channels[0]), c1 = static_cast<double>(channels[1]),
               c2 = static_cast<double>(channels[2]);
  auto mlpconv = [](double in, double mid, double out, double k) {
    return conv(in, mid, k) + conv(mid, mid, 1) + conv(mid, out, 1);
  };
  return mlpconv(static_cast<double>(c.in_channels), c0, c0, 5) + mlpconv(c0, c1, c1, 5) +
         mlpconv(c1, c2, static_cast<double>(c.num_classes), 3);
}

double mobilenet(const ModelConfig& c) {
  const double m = c.width.value_or(1.0);
  auto w = [&](double channels) { return std::floor(channels * m); };  // the constructor's int64 cast
  double in = w(32);
  double total = conv(static_cast<double>(c.in_channels), in, 3, 1, false) + batch_norm(in);
  for (double channels : {64.0, 128.0, 128.0, 256.0, 256.0}) {
    const double out = w(channels);
    total += conv(in, in, 3, in, false) + batch_norm(in) + conv(in, out, 1, 1, false) + batch_norm(out);
    in = out;
  }
  return total + linear(in, static_cast<double>(c.num_classes));
}

double dilated(const ModelConfig& c) {
  const DilatedNetOptions o;
  const double channels = static_cast<double>(o.channels());
  double total = 0, in = static_cast<double>(c.in_channels);
  for (size_t i = 0; i < o.dilations().size(); ++i) {
    total += conv(in, channels, 3);
    in = channels;
  }
  return total + linear(channels, static_cast<double>(c.num_classes));
}

double inception(const ModelConfig& c) {
  auto block = [](const InceptionBlockOptions& o) {
    const auto d = [](int64_t v) { return static_cast<double>(v); };
    return conv(d(o.in_channels()), d(o.c1()), 1) + conv(d(o.in_channels()), d(o.c3_reduce()), 1) +
           conv(d(o.c3_reduce()), d(o.c3()), 3) + conv(d(o.in_channels()), d(o.c5_reduce()), 1) +
           conv(d(o.c5_reduce()), d(o.c5()), 5) + conv(d(o.in_channels()), d(o.pool_proj()), 1);
  };
  // InceptionNet's three blocks (inception.cpp).
  using Block = InceptionBlockOptions;
  const auto a = Block().in_channels(64).c1(32).c3_reduce(48).c3(64).c5_reduce(8).c5(16).pool_proj(16);
  const auto b = Block().in_channels(128).c1(64).c3_reduce(64).c3(96).c5_reduce(16).c5(32).pool_proj(32);
  const auto last = Block().in_channels(224).c1(64).c3_reduce(64).c3(96).c5_reduce(16).c5(32).pool_proj(32);
  return conv(static_cast<double>(c.in_channels), 64, 3) + block(a) + block(b) + block(last) +
         linear(static_cast<double>(last.out_channels()), static_cast<double>(c.num_classes));
}

double resnet(const ModelConfig& c) {
  const ResNetOptions o;
  const double width = c.width.value_or(static_cast<double>(o.width())), expansion = Bottleneck::expansion;
  double total = conv(static_cast<double>(c.in_channels), width, 3, 1, false) + batch_norm(width);
  double in = width;
  for (int i = 0; i < 3; ++i) {
    const double mid = width * std::ldexp(1.0, i), out = mid * expansion;
    for (int64_t j = 0; j < o.blocks()[static_cast<size_t>(i)]; ++j) {
      const bool strided = j == 0 && i > 0;
      total += conv(in, mid, 1, 1, false) + batch_norm(mid) + conv(mid, mid, 3, 1, false) + batch_norm(mid) +
               conv(mid, out, 1, 1, false) + batch_norm(out);
      if (strided || in != out) total += conv(in, out, 1, 1, false) + batch_norm(out);
      in = out;
    }
  }
  return total + linear(in, static_cast<double>(c.num_classes));
}

double conv_autoencoder(const ModelConfig& c) {
  const ConvAutoencoderOptions o;
  const double C = static_cast<double>(c.in_channels), c0 = static_cast<double>(o.channels()[0]),
               c1 = static_cast<double>(o.channels()[1]);
  const double encoder = conv(C, c0, 3) + conv(c0, c1, 3);
  if (o.decoder() == AutoencoderDecoder::resize) return encoder + conv(c1, c0, 3) + conv(c0, C, 3);
  return encoder + conv_transpose(c1, c0, 3) + conv_transpose(c0, C, 3);
}

}  // namespace

double parameter_count_of(const std::string& name, const ModelConfig& c) {
  if (name == "lenet5" || name == "lenet5_classic") return lenet5(c, name == "lenet5_classic");
  if (name == "simplecnn") return simplecnn(c);
  if (name == "mnist_cnn") return mnist_cnn(c);
  if (name == "alexnet") return alexnet(c);
  if (name == "alexnet_cifar") return alexnet_cifar(c);
  if (name == "nin") return nin(c);
  if (name == "mobilenet") return mobilenet(c);
  if (name == "dilated") return dilated(c);
  if (name == "inception") return inception(c);
  if (name == "resnet") return resnet(c);
  if (name == "conv_autoencoder") return conv_autoencoder(c);
  return 0;
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 16.0 * (1 << 30);  // unknown: assume a modest 16 GiB machine
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

std::string format_bytes(double bytes) {
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (!std::isfinite(bytes)) return "more than 10^308 bytes";
  if (bytes < 1024) return fmt::format("{:.0f} bytes", bytes);
  int unit = -1;
  while (bytes >= 1024 && unit < 5) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.3g} {}", bytes, units[unit]);
}

void check_parameter_memory(double parameters, const std::string& who) {
  const double bytes = 4 * parameters, budget = physical_memory_bytes();
  EMBER_CHECK(bytes <= budget, "{} makes the model's parameters {} ({:.3g} floats), more than this machine's {} of memory",
              who, format_bytes(bytes), parameters, format_bytes(budget));
}

void check_activation_memory(double bytes, double other_bytes, const std::string& who, const std::string& what,
                             const std::string& detail) {
  const double budget = physical_memory_bytes();
  if (bytes + other_bytes <= budget) return;
  const std::string with_model =
      other_bytes < budget / 100 ? "" : fmt::format(", with the model's {}", format_bytes(other_bytes));
  fail("{} makes {} about {}{}{}, more than this machine's {} of memory", who, what, format_bytes(bytes), detail,
       with_model, format_bytes(budget));
}

}  // namespace ember::models
