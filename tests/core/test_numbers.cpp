// Numbers from text (ember/core/numbers.h), what every `ember` flag is read with: decimal digits
// only ("0100" is 100, not octal 64), no overflow or wrap at any size, the range in words (#17).
#include <cstdint>
#include <limits>

#include "support/helpers.h"

#include "ember/core/numbers.h"

using namespace ember;
using ember::test::check_error;

namespace {

int64_t parse(std::string_view text, IntRange range = IntRange::at_least(1)) {
  return parse_integer<int64_t>("--batch", text, range);
}

}  // namespace

TEST_CASE("integers: decimal digits with an optional '-', leading zeros decimal") {
  CHECK(parse("1") == 1);
  CHECK(parse("64") == 64);
  CHECK(parse("0100") == 100);  // not octal 64
  CHECK(parse("0000000000000000000000000000042") == 42);
  CHECK(parse("9223372036854775807") == std::numeric_limits<int64_t>::max());
  CHECK(parse_integer<int64_t>("x", "-9223372036854775808", IntRange{}) == std::numeric_limits<int64_t>::min());
  CHECK(parse_integer<int64_t>("x", "-3", IntRange{}) == -3);
  CHECK(parse_integer<int64_t>("x", "-0", IntRange::at_least(0)) == 0);
  CHECK(parse_integer<uint64_t>("--seed", "18446744073709551615", IntegerRange<uint64_t>{}) ==
        std::numeric_limits<uint64_t>::max());
  CHECK(parse_integer<uint64_t>("--seed", "-0", IntegerRange<uint64_t>{}) == 0);
  CHECK(parse_integer<int>("--threads", "1024", IntegerRange<int>{0, 1024}) == 1024);
  for (const char* text : {"", "-", "+5", " 5", "5 ", "0x10", "1e9", "1.0", "5k", "--5", "٣"}) {
    CAPTURE(text);
    check_error([&] { parse(text); }, {"--batch must be a decimal integer at least 1, got '"});
  }
  check_error([] { parse_integer<int64_t>("x", "abc", IntRange{}); }, {"x must be a decimal integer, got 'abc'"});
}

TEST_CASE("integers: out of range, or beyond the type, say the range in words") {
  check_error([] { parse("0"); }, {"--batch must be at least 1, got 0"});
  check_error([] { parse("-5"); }, {"--batch must be at least 1, got -5"});
  check_error([] { parse_integer<int>("--threads", "5000", IntegerRange<int>{0, 1024}); },
              {"--threads must be between 0 and 1024, got 5000"});
  check_error([] { parse_integer<int>("--threads", "99999999999", IntegerRange<int>{0, 1024}); },
              {"--threads must be between 0 and 1024, got 99999999999"});
  check_error([] { parse("9223372036854775808"); }, {"--batch must be at most 9223372036854775807, got 9223372036854775808"});
  check_error([] { parse("99999999999999999999999999"); }, {"--batch must be at most 9223372036854775807"});
  check_error([] { parse_integer<int64_t>("x", "-9223372036854775809", IntRange{}); },
              {"x must be at least -9223372036854775808, got -9223372036854775809"});
  check_error([] { parse("-99999999999999999999"); }, {"--batch must be at least 1, got -99999999999999999999"});
  check_error([] { parse_integer<uint64_t>("--seed", "-1", IntegerRange<uint64_t>{}); }, {"--seed must be", "got -1"});
  check_error([] { parse_integer<uint64_t>("--seed", "18446744073709551616", IntegerRange<uint64_t>{}); },
              {"--seed must be at most 18446744073709551615"});
  check_error([] { parse_integer<int64_t>("--epochs", "0", IntRange{1, 1000000}); },
              {"--epochs must be between 1 and 1000000, got 0"});
  check_error([] { parse_integer<int64_t>("x", "7", IntRange{std::numeric_limits<int64_t>::min(), 5}); },
              {"x must be at most 5, got 7"});
}

TEST_CASE("reals: finite decimal numbers, the range in words") {
  CHECK(parse_real("--lr", "0.5", RealRange::greater_than(0)) == 0.5);
  CHECK(parse_real("--lr", ".5", RealRange::greater_than(0)) == 0.5);
  CHECK(parse_real("--lr", "1e-3", RealRange::greater_than(0)) == 1e-3);
  CHECK(parse_real("--momentum", "0", RealRange::at_least_below(0, 1)) == 0);
  CHECK(parse_real("x", "-2", RealRange{}) == -2);
  check_error([] { parse_real("--lr", "0", RealRange::greater_than(0)); }, {"--lr must be greater than 0, got 0"});
  check_error([] { parse_real("--lr", "-1", RealRange::greater_than(0)); }, {"--lr must be greater than 0, got -1"});
  check_error([] { parse_real("--momentum", "1", RealRange::at_least_below(0, 1)); },
              {"--momentum must be at least 0 and less than 1, got 1"});
  check_error([] { parse_real("--weight-decay", "-0.1", RealRange::at_least(0)); },
              {"--weight-decay must be at least 0, got -0.1"});
  check_error([] { parse_real("x", "2", RealRange{0, 1}); }, {"x must be between 0 and 1, got 2"});
  for (const char* text : {"inf", "-inf", "nan", "infinity"}) {
    CAPTURE(text);
    check_error([&] { parse_real("--lr", text, RealRange::greater_than(0)); },
                {"--lr must be a finite number greater than 0, got"});
  }
  for (const char* text : {"", "abc", "+1", " 1", "1 ", "0x10", "1,5", "1e"}) {
    CAPTURE(text);
    check_error([&] { parse_real("--lr", text, RealRange::greater_than(0)); },
                {"--lr must be a number greater than 0, got '"});
  }
  check_error([] { parse_real("--lr", "1e999", RealRange::greater_than(0)); },
              {"--lr must be greater than 0, got 1e999 (beyond the range of a double)"});
}

TEST_CASE("ranges in words, and range_error") {
  CHECK(IntRange{}.words() == "any integer");
  CHECK(IntRange::at_least(0).words() == "at least 0");
  CHECK(IntRange{0, 1024}.words() == "between 0 and 1024");
  CHECK(RealRange{}.words() == "a finite number");
  CHECK(RealRange::greater_than(0).words() == "greater than 0");
  CHECK(RealRange{0, 1, false, true}.words() == "at least 0 and less than 1");
  CHECK(RealRange{0, 1, true, false}.words() == "greater than 0 and at most 1");
  CHECK(range_error("batch", int64_t{0}, IntRange::at_least(1)) == "batch must be at least 1, got 0");
  CHECK(range_error("batch", int64_t{1}, IntRange::at_least(1)).empty());
  CHECK(range_error("lr", 0.1, RealRange::greater_than(0)).empty());
  CHECK_FALSE(RealRange{}.contains(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(RealRange{}.contains(std::numeric_limits<double>::infinity()));
}
