// Runs a libFuzzer entry point without libFuzzer, so that every fuzz target
// also runs for a few seconds in the default tests, built by g++ under the
// dev preset's AddressSanitizer and UBSan: every seed file given, then
// mutations of them (bit flips, bytes set, inserted, deleted or repeated,
// JSON tokens inserted, seeds spliced, cuts) until --seconds pass. The
// mutations come from --seed alone, so a failure is replayed by running the
// same command again; the input being run is also written to --crash-file
// first, so that the one that failed is kept.
//
//   cgminer_reply_fuzz_replay --seconds 3 tests/testdata/cgminer
//
// The long, coverage-guided runs stay with clang and libFuzzer
// (tests/fuzz/run_fuzz.sh, under `scripts/test.sh --all`).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Tokens that reach the corners of JSON and of the replies' shapes.
const char* const kTokens[] = {"{",     "}",      "[",     "]",          "\"",     ",",    ":",       "null",
                               "true",  "false",  "-1",    "1e308",      "-1e400", "0",    "\\u0000", "\\\"",
                               "\x00",  "\xff",   "\x1b[", "\"STATUS\"", "\"S\"",  "\"E\"", "{\"a\":", "[[[[[[[[",
                               "\"Enabled\"", "\"Watts\"", "\"PROFILES\"", "\"ATM\"", "\"SESSION\"", "\"code\"",
                               "\"msg\"", "\"summary\""};

std::string Mutate(std::string s, const std::vector<std::string>& seeds, std::mt19937_64& rng, std::size_t max_len) {
  const auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };
  const int ops = 1 + static_cast<int>(rng() % 8);
  for (int k = 0; k < ops; ++k) {
    switch (rng() % 9) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 2:  // insert a byte
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), static_cast<char>(rng()));
        break;
      case 3: {  // delete a range
        if (s.empty()) break;
        const std::size_t at = pick(s.size());
        s.erase(at, 1 + pick(std::min<std::size_t>(16, s.size() - at)));
        break;
      }
      case 4: {  // repeat a range
        if (s.empty()) break;
        const std::size_t at = pick(s.size());
        const std::string part = s.substr(at, 1 + pick(32));
        s.insert(at, part);
        break;
      }
      case 5: {  // insert a token
        const char* t = kTokens[pick(std::size(kTokens))];
        s.insert(pick(s.size() + 1), t, std::max<std::size_t>(1, std::strlen(t)));
        break;
      }
      case 6: {  // splice another seed
        const std::string& other = seeds[pick(seeds.size())];
        if (other.empty()) break;
        const std::size_t from = pick(other.size());
        s = s.substr(0, pick(s.size() + 1)) + other.substr(from);
        break;
      }
      case 7:  // cut
        s.resize(pick(s.size() + 1));
        break;
      default: {  // a number made extreme
        const std::size_t at = s.find_first_of("0123456789", pick(s.size() + 1));
        if (at != std::string::npos) s.insert(at, rng() % 2 ? "9999999999999999999999" : "-");
        break;
      }
    }
  }
  if (s.size() > max_len) s.resize(max_len);
  return s;
}

void Run(const std::string& input, const std::string& crash_file) {
  if (!crash_file.empty()) {
    std::ofstream(crash_file, std::ios::binary | std::ios::trunc) << input;
  }
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  std::uint64_t seed = 1;
  std::size_t max_len = 1 << 16;
  std::string crash_file;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--max-len" && i + 1 < argc) {
      max_len = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--crash-file" && i + 1 < argc) {
      crash_file = argv[++i];
    } else {
      std::error_code ec;
      std::vector<std::filesystem::path> files;
      if (std::filesystem::is_directory(a, ec)) {
        for (const auto& e : std::filesystem::recursive_directory_iterator(a)) {
          if (e.is_regular_file()) files.push_back(e.path());
        }
      } else {
        files.emplace_back(a);
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) {
          std::fprintf(stderr, "cannot read seed %s\n", f.c_str());
          return 2;
        }
        seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const std::string& s : seeds) Run(s, crash_file);
  std::mt19937_64 rng(seed);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long runs = static_cast<long>(seeds.size());
  while (std::chrono::steady_clock::now() < end) {
    for (int k = 0; k < 64; ++k, ++runs) {
      Run(Mutate(seeds[static_cast<std::size_t>(rng() % seeds.size())], seeds, rng, max_len), crash_file);
    }
  }
  if (!crash_file.empty()) std::filesystem::remove(crash_file);
  std::printf("%ld inputs (%zu seeds, then mutations from --seed %llu), no failure\n", runs, seeds.size(),
              static_cast<unsigned long long>(seed));
  return 0;
}
