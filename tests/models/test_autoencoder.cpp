// Convolutional autoencoder: 1x28x28 in, the same shape out, in (0, 1).
#include "models/model_checks.h"

#include "ember/models/autoencoder.h"
#include "ember/optim/adam.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

TEST_CASE("ConvAutoencoder reconstructs the input shape; PyTorch's parameter count; trains on MSE") {
  manual_seed(0);
  ConvAutoencoder net;
  CHECK(parameter_count(net) == 9569);  // Autoencoder() in tests/golden/golden_models.py
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                                 "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"});
  const Tensor x = rand({2, 1, 28, 28});
  const Tensor out = test::check_forward_backward(net, x, Shape{2, 1, 28, 28});
  CHECK(max(mul(out.reshape({-1}), -1.0f), 0).item() < 0.0f);  // min > 0
  CHECK(max(out.reshape({-1}), 0).item() < 1.0f);
  CHECK(net.encode(x).shape() == Shape{2, 32, 7, 7});
  net.zero_grad();
  mse_loss(net(x), x).backward();
  for (const Tensor& p : net.parameters()) CHECK(p.grad().defined());
  net.eval();
  test::check_mode(net, false);
  net.train();
  test::check_mode(net, true);
}

TEST_CASE("ConvAutoencoder options and input checks") {
  ConvAutoencoder rgb(ConvAutoencoderOptions().in_channels(3).channels({8, 4}));
  CHECK(rgb(rand({1, 3, 32, 16})).shape() == Shape{1, 3, 32, 16});
  check_error([&] { rgb(rand({1, 3, 30, 16})); }, {"ConvAutoencoder", "multiples of 4"});
  check_error([] { ConvAutoencoder bad(ConvAutoencoderOptions().channels({0, 4})); }, {"ConvAutoencoder", "channels"});
}

TEST_CASE("ConvAutoencoder with the resize-convolution decoder: same shapes and parameter count, trains") {
  manual_seed(0);
  const auto o = ConvAutoencoderOptions().decoder(AutoencoderDecoder::resize);
  ConvAutoencoder net(o);
  CHECK(parameter_count(net) == 9569);  // conv(c1 -> c0) has convT(c1 -> c0)'s weights, transposed
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                                 "decoder.1.weight", "decoder.1.bias", "decoder.4.weight", "decoder.4.bias"});
  CHECK(net.decoder->to_string().find("(0): Upsample(scale_factor=2.0, mode=nearest)") != std::string::npos);
  CHECK(net.decoder->to_string().find("(1): Conv2d(32, 16, kernel_size=3, stride=1, padding=1)") != std::string::npos);
  const Tensor x = rand({2, 1, 28, 28});
  const Tensor out = test::check_forward_backward(net, x, Shape{2, 1, 28, 28});
  CHECK(max(mul(out.reshape({-1}), -1.0f), 0).item() < 0.0f);
  CHECK(max(out.reshape({-1}), 0).item() < 1.0f);
  CHECK(net.decode(net.encode(x)).shape() == Shape{2, 1, 28, 28});
  ConvAutoencoder rgb(ConvAutoencoderOptions().in_channels(3).channels({8, 4}).decoder(AutoencoderDecoder::resize));
  CHECK(rgb(rand({1, 3, 32, 16})).shape() == Shape{1, 3, 32, 16});

  // A few Adam steps on MSE lower the loss, and 1 and 2 threads give the same bits.
  auto train = [&](int threads) {
    std::vector<float> losses;
    test::with_threads(threads, [&] {
      manual_seed(3);
      ConvAutoencoder model(o);
      optim::Adam adam(model.parameters(), optim::AdamOptions(1e-2));
      const Tensor batch = rand({8, 1, 28, 28});
      for (int step = 0; step < 5; ++step) {
        adam.zero_grad();
        Tensor loss = mse_loss(model(batch), batch);
        loss.backward();
        adam.step();
        losses.push_back(loss.item());
      }
    });
    return losses;
  };
  const std::vector<float> two = train(2);
  CHECK(two.back() < two.front());
  CHECK(train(1) == two);
}
