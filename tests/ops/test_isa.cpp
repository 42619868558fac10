// The kernel variants (kernels/isa/isa.h): which ones the build and CPU have, switching between
// them, the errors for names and variants that cannot run, and one exact kernel (max pooling)
// giving the same bits in every variant.
#include "ember/kernels/isa/isa.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_error;
using ember::test::random_tensor;
namespace k = ember::kernels;

TEST_CASE("the build's variants start with the baseline; the CPU runs a subset of them") {
  const std::vector<k::Isa> compiled = k::compiled_isas(), runnable = k::runnable_isas();
  REQUIRE_FALSE(compiled.empty());
  CHECK(compiled.front() == k::Isa::baseline);
  CHECK(runnable.front() == k::Isa::baseline);
  for (k::Isa isa : runnable) CHECK(std::find(compiled.begin(), compiled.end(), isa) != compiled.end());
  CHECK(k::isa_names({k::Isa::baseline, k::Isa::avx512}) == "baseline, avx512");
  CHECK(k::parse_isa("avx2", "test") == k::Isa::avx2);
}

TEST_CASE("bad variant names and variants that cannot run are errors naming what can") {
  check_error([] { k::parse_isa("avx9", "EMBER_ISA"); },
              {"EMBER_ISA", "unknown instruction set \"avx9\"", "expected baseline, avx2 or avx512"});
  const std::vector<k::Isa> runnable = k::runnable_isas();
  for (k::Isa isa : {k::Isa::avx2, k::Isa::avx512}) {
    if (std::find(runnable.begin(), runnable.end(), isa) != runnable.end()) continue;
    INFO(k::isa_name(isa));
    check_error([&] { k::set_isa(isa); }, {"set_isa", k::isa_name(isa), "kernels"});
  }
}

TEST_CASE("set_isa switches the variant; max pooling gives the same bits in each") {
  const k::Isa original = k::active_isa();
  const Tensor x = random_tensor({4, 3, 17, 19}, 1);
  std::vector<Tensor> results;
  for (k::Isa isa : k::runnable_isas()) {
    INFO(k::isa_name(isa));
    k::set_isa(isa);
    CHECK(k::active_isa() == isa);
    results.push_back(max_pool2d(x, MaxPool2dOptions(3).stride(2).padding(1)));
  }
  k::set_isa(original);
  for (size_t i = 1; i < results.size(); ++i) check_bitwise_equal(results[i], results[0]);
}
