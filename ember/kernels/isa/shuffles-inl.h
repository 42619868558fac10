// Lane shuffles for kernel bodies (included inside a body after lanes-inl.h, so once per
// instruction-set variant; no include guard, no includes): picking every S-th lane, joining,
// zipping, and the 2- and 4-way (de)interleaves built from them.

// Lane shuffles with compile-time index lists (GCC >= 12 and clang's __builtin_shufflevector).
// pick_every<S, P>: lanes P, P + S, P + 2S, ... of a then b, as many as the sequence is long.
template <int S, int P, typename V, size_t... I>
inline auto pick_every(V a, V b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, static_cast<int>(I * S + P)...);
}

// lo's lanes, then hi's.
template <typename V, size_t... I>
inline auto join(V lo, V hi, std::index_sequence<I...>) {
  return __builtin_shufflevector(lo, hi, static_cast<int>(I)...);
}

// a[h], b[h], a[h + 1], b[h + 1], ... from h = 0 (Half 0) or h = L / 2 (Half 1).
template <int Half, typename V, size_t... I>
inline V zip_half(V a, V b, std::index_sequence<I...>) {
  constexpr size_t L = sizeof...(I);
  return __builtin_shufflevector(a, b, static_cast<int>((I % 2 ? L : 0) + Half * L / 2 + I / 2)...);
}

// d_k[i] = src[4i + k] for i < count: the four column phases of a row.
void deinterleave4(const float* __restrict src, int64_t count, float* __restrict d0, float* __restrict d1,
                   float* __restrict d2, float* __restrict d3) {
  over_lanes(count, [&](auto lanes, int64_t i) {
    constexpr int L = decltype(lanes)::value;
    if constexpr (L == 1) {
      d0[i] = src[4 * i];
      d1[i] = src[4 * i + 1];
      d2[i] = src[4 * i + 2];
      d3[i] = src[4 * i + 3];
    } else {
      constexpr auto half = std::make_index_sequence<L / 2>{};
      constexpr auto whole = std::make_index_sequence<L>{};
      const auto a = load_lanes<L>(src + 4 * i), b = load_lanes<L>(src + 4 * i + L);
      const auto c = load_lanes<L>(src + 4 * i + 2 * L), d = load_lanes<L>(src + 4 * i + 3 * L);
      store_lanes<L>(d0 + i, join(pick_every<4, 0>(a, b, half), pick_every<4, 0>(c, d, half), whole));
      store_lanes<L>(d1 + i, join(pick_every<4, 1>(a, b, half), pick_every<4, 1>(c, d, half), whole));
      store_lanes<L>(d2 + i, join(pick_every<4, 2>(a, b, half), pick_every<4, 2>(c, d, half), whole));
      store_lanes<L>(d3 + i, join(pick_every<4, 3>(a, b, half), pick_every<4, 3>(c, d, half), whole));
    }
  });
}

// dst[4i + k] = s_k[i] for i < count: four column phases back into a row.
void interleave4(const float* __restrict s0, const float* __restrict s1, const float* __restrict s2,
                 const float* __restrict s3, int64_t count, float* __restrict dst) {
  over_lanes(count, [&](auto lanes, int64_t i) {
    constexpr int L = decltype(lanes)::value;
    if constexpr (L == 1) {
      dst[4 * i] = s0[i];
      dst[4 * i + 1] = s1[i];
      dst[4 * i + 2] = s2[i];
      dst[4 * i + 3] = s3[i];
    } else {
      constexpr auto whole = std::make_index_sequence<L>{};
      const auto a = load_lanes<L>(s0 + i), b = load_lanes<L>(s1 + i), c = load_lanes<L>(s2 + i),
                 d = load_lanes<L>(s3 + i);
      const auto ac_lo = zip_half<0>(a, c, whole), ac_hi = zip_half<1>(a, c, whole);  // a0 c0 a1 c1 ...
      const auto bd_lo = zip_half<0>(b, d, whole), bd_hi = zip_half<1>(b, d, whole);  // b0 d0 b1 d1 ...
      store_lanes<L>(dst + 4 * i, zip_half<0>(ac_lo, bd_lo, whole));                  // a0 b0 c0 d0 a1 ...
      store_lanes<L>(dst + 4 * i + L, zip_half<1>(ac_lo, bd_lo, whole));
      store_lanes<L>(dst + 4 * i + 2 * L, zip_half<0>(ac_hi, bd_hi, whole));
      store_lanes<L>(dst + 4 * i + 3 * L, zip_half<1>(ac_hi, bd_hi, whole));
    }
  });
}

// d_k[i] = src[8i + 2k] for i < count: the four column phases of a dilation-2 sub-grid's row,
// straight from the full row. Vectors only where their odd lanes stay inside the row.
void deinterleave4_even(const float* __restrict src, int64_t count, float* __restrict d0, float* __restrict d1,
                        float* __restrict d2, float* __restrict d3) {
  float* __restrict d[4] = {d0, d1, d2, d3};
  auto scalar = [&](int64_t i) {
    for (int k = 0; k < 4; ++k) d[k][i] = src[8 * i + 2 * k];
  };
  over_lanes(count - 1, [&](auto lanes, int64_t i) {
    constexpr int L = decltype(lanes)::value;
    if constexpr (L < 8) {
      for (int64_t j = i; j < i + L; ++j) scalar(j);
    } else {
      constexpr auto quarter = std::make_index_sequence<L / 4>{};
      constexpr auto half = std::make_index_sequence<L / 2>{};
      constexpr auto whole = std::make_index_sequence<L>{};
      typename Lanes<L>::type v[8];
      for (int j = 0; j < 8; ++j) v[j] = load_lanes<L>(src + 8 * i + j * L);
      auto phase = [&](auto k) {
        constexpr int P = 2 * decltype(k)::value;
        return join(join(pick_every<8, P>(v[0], v[1], quarter), pick_every<8, P>(v[2], v[3], quarter), half),
                    join(pick_every<8, P>(v[4], v[5], quarter), pick_every<8, P>(v[6], v[7], quarter), half), whole);
      };
      store_lanes<L>(d0 + i, phase(std::integral_constant<int, 0>{}));
      store_lanes<L>(d1 + i, phase(std::integral_constant<int, 1>{}));
      store_lanes<L>(d2 + i, phase(std::integral_constant<int, 2>{}));
      store_lanes<L>(d3 + i, phase(std::integral_constant<int, 3>{}));
    }
  });
  if (count > 0) scalar(count - 1);
}

// dst[2i] = a[i], dst[2i + 1] = b[i] for i < count: the rows of two neighbouring dilation-2
// sub-grids back into one row.
void interleave2(const float* __restrict a, const float* __restrict b, int64_t count, float* __restrict dst) {
  over_lanes(count, [&](auto lanes, int64_t i) {
    constexpr int L = decltype(lanes)::value;
    if constexpr (L == 1) {
      dst[2 * i] = a[i];
      dst[2 * i + 1] = b[i];
    } else {
      constexpr auto whole = std::make_index_sequence<L>{};
      const auto x = load_lanes<L>(a + i), y = load_lanes<L>(b + i);
      store_lanes<L>(dst + 2 * i, zip_half<0>(x, y, whole));
      store_lanes<L>(dst + 2 * i + L, zip_half<1>(x, y, whole));
    }
  });
}
