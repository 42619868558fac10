// Adam and AdamW: PyTorch golden runs for every option, groups, skipped parameters, bad options.
#include "optim/optim_golden.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_error;
using ember::test::check_optim_golden;

namespace {
template <typename Opt, typename O>
std::function<std::unique_ptr<Optimizer>(const TensorList&)> make(O o) {
  return [o](const TensorList& p) { return std::make_unique<Opt>(p, o); };
}
}  // namespace

TEST_CASE("Adam matches PyTorch after 5 steps for every option") {
  check_optim_golden("adam", make<Adam>(AdamOptions(0.01)));
  check_optim_golden("adam_betas_wd", make<Adam>(AdamOptions(0.01).betas(0.8, 0.95).eps(1e-6).weight_decay(0.1)));
  check_optim_golden("adam_amsgrad", make<Adam>(AdamOptions(0.01).amsgrad(true)));
  check_optim_golden("adam_skip", make<Adam>(AdamOptions(0.01)));
  check_optim_golden("adam_groups", [](const TensorList& p) {
    return std::make_unique<Adam>(std::vector<Adam::Group>{{{p[0]}, AdamOptions(0.01)}, {{p[1]}, AdamOptions(0.001)}});
  });
}

TEST_CASE("Adam skips a parameter without gradient: its step count stays behind") {
  const TensorList params = ember::test::optim_init_params();
  Adam opt(params, AdamOptions(0.01));
  for (int k = 0; k < 5; ++k) ember::test::optim_golden_step(opt, params, k, /*skip=*/true);
  CHECK(opt.state(0)->step == 5);
  CHECK(opt.state(1)->step == 4);
}

TEST_CASE("AdamW matches PyTorch after 5 steps (decoupled weight decay)") {
  check_optim_golden("adamw", make<AdamW>(AdamWOptions(0.01).weight_decay(0.1)));
  check_optim_golden("adamw_default", make<AdamW>(AdamWOptions(0.01)));  // weight_decay 1e-2 by default
  check_optim_golden("adamw_amsgrad", make<AdamW>(AdamWOptions(0.01).weight_decay(0.1).amsgrad(true)));
  CHECK(AdamWOptions().weight_decay() == 1e-2);
  CHECK(AdamOptions().weight_decay() == 0.0);
}

TEST_CASE("Adam and AdamW reject bad options") {
  const Tensor p = zeros({2}).requires_grad_();
  check_error([&] { Adam({p}, AdamOptions(-1e-3)); }, {"Adam", "learning rate", "-0.001"});
  check_error([&] { Adam({p}, AdamOptions().betas(1.0, 0.999)); }, {"Adam", "beta1", "1", "[0, 1)"});
  check_error([&] { Adam({p}, AdamOptions().beta2(-0.1)); }, {"Adam", "beta2", "-0.1"});
  check_error([&] { Adam({p}, AdamOptions().eps(-1e-8)); }, {"Adam", "eps", "-1e-08"});
  check_error([&] { AdamW({p}, AdamWOptions().weight_decay(-0.01)); }, {"AdamW", "weight_decay", "-0.01"});
  check_error([&] { AdamW({p}, AdamWOptions().beta1(1.5)); }, {"AdamW", "beta1", "1.5"});
}
