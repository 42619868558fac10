// Trains a two-layer network on the classic three-arm spiral, with nothing but tensors,
// autograd and a hand-written SGD step. Prints loss and accuracy; exits non-zero if it fails to
// learn (so CI notices).
#include <ember/ember.h>

#include <cmath>
#include <numbers>

using namespace ember;

// points: [classes * per_class, 2]; labels: [classes * per_class] int64.
std::pair<Tensor, Tensor> make_spiral(int64_t per_class, int64_t classes, Generator& gen) {
  std::vector<float> points;
  std::vector<int64_t> targets;
  for (int64_t c = 0; c < classes; ++c) {
    for (int64_t i = 0; i < per_class; ++i) {
      const double r = static_cast<double>(i) / static_cast<double>(per_class);
      const double angle = static_cast<double>(c) * 4.0 + r * 4.0 + 0.2 * gen.normal();
      points.push_back(static_cast<float>(r * std::sin(angle)));
      points.push_back(static_cast<float>(r * std::cos(angle)));
      targets.push_back(c);
    }
  }
  return {from_vector(points, {classes * per_class, 2}), from_vector(targets, {classes * per_class})};
}

int main() {
  Generator gen(0);
  auto [x, y] = make_spiral(100, 3, gen);

  // Parameters: 2 -> 64 -> 3, He-style initialization.
  Tensor w1 = (randn({64, 2}, &gen) * std::sqrt(2.0f / 2)).requires_grad_();
  Tensor b1 = zeros({64}).requires_grad_();
  Tensor w2 = (randn({3, 64}, &gen) * std::sqrt(2.0f / 64)).requires_grad_();
  Tensor b2 = zeros({3}).requires_grad_();
  const TensorList params{w1, b1, w2, b2};

  float accuracy = 0;
  for (int step = 0; step <= 2000; ++step) {
    Tensor logits = linear(linear(x, w1, b1).relu(), w2, b2);
    Tensor loss = cross_entropy(logits, y);
    loss.backward();
    {
      NoGradGuard no_grad;  // the update is not part of the model
      for (const Tensor& p : params) {
        p.add_(p.grad(), -0.5f);
        p.zero_grad();
      }
    }
    if (step % 400 == 0) {
      const auto predicted = logits.argmax(1).to_vector<int64_t>();
      const auto truth = y.to_vector<int64_t>();
      int64_t correct = 0;
      for (size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
      accuracy = static_cast<float>(correct) / static_cast<float>(truth.size());
      fmt::print("step {:4d}  loss {:.4f}  accuracy {:.1f}%\n", step, loss.item(), 100 * accuracy);
    }
  }
  return accuracy > 0.9f ? 0 : 1;
}
