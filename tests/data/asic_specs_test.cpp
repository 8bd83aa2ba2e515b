#include "data/asic_specs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/history.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

fs::path Shared(const char* file) { return fs::path(MULLET_SHARED_DATA) / file; }
fs::path Testdata(const std::string& file) { return fs::path(MULLET_TESTDATA) / file; }

template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Status::Ok() : r.status();
}

// Writes `text` to a fresh file named `name` in the test's temporary directory.
fs::path WriteTemp(const std::string& name, const std::string& text) {
  const fs::path path = fs::path(::testing::TempDir()) / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// ---- The specs CSV. ----

TEST(AsicSpecsTest, LoadsThe86ModelsOfTheF2PoolTable) {
  const Result<std::vector<AsicModel>> models = LoadAsicSpecsCsv(Shared(data_files::kAsicSpecs));
  ASSERT_TRUE(models.ok()) << models.status().message();
  ASSERT_EQ(models->size(), 86u);
  const AsicModel& first = models->front();
  EXPECT_EQ(first.brand, "Bitmain");
  EXPECT_EQ(first.name, "Antminer S19 Pro");
  EXPECT_EQ(first.hashrate, TerahashPerSecond(110));
  EXPECT_EQ(first.power, Watts(3250));
  EXPECT_EQ(first.release_year, 2020);
  EXPECT_EQ(first.release_month, 2);
  EXPECT_EQ(first.source, "asic_miner_specs_f2pool_2020.csv");
  for (const AsicModel& m : *models) EXPECT_TRUE(ValidateAsicModel(m).ok()) << m.name;
  // The source lists two models twice with different figures; both rows stay.
  const auto s9 = std::count_if(models->begin(), models->end(),
                                [](const AsicModel& m) { return m.name == "Antminer S9"; });
  EXPECT_EQ(s9, 2);
}

TEST(AsicSpecsTest, CsvErrorsNameFileLineAndField) {
  struct Case {
    const char* file;
    const char* where;
    const char* what;
  };
  const Case cases[] = {
      {"asic_efficiency_disagrees.csv", "asic_efficiency_disagrees.csv:3: efficiency_j_per_th: ",
       "'30.00' disagrees with power_w / hashrate_th_s = 34.2105 by more than 1%"},
      {"asic_negative_power.csv", "asic_negative_power.csv:2: power_w: ", "must be > 0"},
      {"asic_wrong_header.csv",
       "asic_wrong_header.csv:1: ", "missing column 'hashrate_th_s' (column 3 is 'hashrate')"},
  };
  for (const Case& c : cases) {
    const Status s = StatusOf(LoadAsicSpecsCsv(Testdata(std::string("broken/") + c.file)));
    EXPECT_EQ(s.code(), StatusCode::kDataError) << s.message();
    EXPECT_TRUE(Contains(s.message(), c.where));
    EXPECT_TRUE(Contains(s.message(), c.what));
  }
}

TEST(AsicSpecsTest, CsvImplausibleEfficiencyFailsValidationWithTheLine) {
  const fs::path p = WriteTemp("implausible.csv",
                               "brand,model,hashrate_th_s,power_w,efficiency_j_per_th,release_year,"
                               "release_month\nX,Fantasy,1000000,100,0.0001,2020,1\n");
  const Status s = StatusOf(LoadAsicSpecsCsv(p));
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_TRUE(Contains(s.message(), "implausible.csv:2: power_w / hashrate_th_s: efficiency"));
}

TEST(AsicSpecsTest, CsvMissingFileIsNotFound) {
  const fs::path p = Testdata("broken/no_such_specs.csv");
  const Status s = StatusOf(LoadAsicSpecsCsv(p));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(s.message(), p.string()));
}

// ---- The user's YAML. ----

TEST(AsicSpecsTest, ExampleYamlLoadsAndAddsToTheBuiltInCatalog) {
  const Result<std::vector<AsicModel>> models =
      LoadAsicModelsYaml(fs::path(MULLET_EXAMPLES) / "asic_models.yaml");
  ASSERT_TRUE(models.ok()) << models.status().message();
  ASSERT_GE(models->size(), 3u);
  const AsicModel& hydro = models->front();
  EXPECT_EQ(hydro.name, "Antminer S21 Hydro");
  EXPECT_EQ(hydro.brand, "Bitmain");
  EXPECT_EQ(hydro.hashrate, TerahashPerSecond(335));
  EXPECT_EQ(hydro.power, Watts(5360));
  EXPECT_EQ(hydro.release_year, 2024);
  EXPECT_EQ(hydro.release_month, 2);
  EXPECT_EQ(hydro.source, "asic_models.yaml");
  AsicCatalog catalog = AsicCatalog::BuiltIn();
  for (const AsicModel& m : *models) {
    EXPECT_TRUE(ValidateAsicModel(m).ok()) << m.name;
    EXPECT_TRUE(catalog.Add(m).ok()) << m.name;
  }
  EXPECT_EQ(catalog.Find("s21 hydro")->power, Watts(5360));
}

TEST(AsicSpecsTest, OptionalFieldsDefaultToUnknown) {
  const fs::path p = WriteTemp("minimal.yaml",
                               "models:\n  - name: M\n    hashrate_th_s: 100\n"
                               "    power_w: 2000\n");
  const Result<std::vector<AsicModel>> models = LoadAsicModelsYaml(p);
  ASSERT_TRUE(models.ok()) << models.status().message();
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ(models->front().brand, "");
  EXPECT_EQ(models->front().release_year, 0);
  EXPECT_EQ(models->front().release_month, 0);
}

struct YamlCase {
  const char* file;     // under tests/testdata/yaml
  const char* message;  // the whole message
};

class AsicYamlBrokenTest : public ::testing::TestWithParam<YamlCase> {};

TEST_P(AsicYamlBrokenTest, FailsWithFileLineAndField) {
  const Status s = StatusOf(LoadAsicModelsYaml(Testdata(std::string("yaml/") + GetParam().file)));
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Files, AsicYamlBrokenTest,
    ::testing::Values(
        YamlCase{"typo_key.yaml",
                 "typo_key.yaml:9: models[1].hashrate_ths: unknown field (expected one of: name, "
                 "brand, hashrate_th_s, power_w, release_year, release_month)"},
        YamlCase{"negative_power.yaml",
                 "negative_power.yaml:7: models[1].power_w: must be > 0, got '-3000'"},
        YamlCase{"missing_field.yaml",
                 "missing_field.yaml:6: models[1].power_w: missing required field"},
        YamlCase{"duplicate_name.yaml",
                 "duplicate_name.yaml:5: models[1].name: duplicate model 'antminer s21-hydro' "
                 "(same as models[0] at line 2)"},
        YamlCase{"malformed.yaml",
                 "malformed.yaml:7: invalid YAML: end of sequence flow not found"}),
    [](const ::testing::TestParamInfo<YamlCase>& param) {
      const std::string file = param.param.file;
      return file.substr(0, file.find('.'));
    });

TEST(AsicSpecsTest, YamlSchemaErrorsNameLineAndField) {
  struct Case {
    const char* text;
    const char* message;  // after "s.yaml:"
  };
  const Case cases[] = {
      {"", "1: models: missing required field (the file is empty)"},
      {"- a\n- b\n", "1: expected a mapping with a 'models' list, got a list"},
      {"models:\n  - name: A\n    hashrate_th_s: 1\n    power_w: 50\nmodel: x\n",
       "5: model: unknown field (expected: models)"},
      {"models: 3\n", "1: models: expected a list of models, got '3'"},
      {"models:\n  - just a name\n",
       "2: models[0]: expected a mapping with name, hashrate_th_s "
       "and power_w, got 'just a name'"},
      {"models:\n  - name: A\n    hashrate_th_s: fast\n    power_w: 50\n",
       "3: models[0].hashrate_th_s: expected a number, got 'fast'"},
      {"models:\n  - name: A\n    hashrate_th_s: 100\n    power_w: 3000\n    release_month: 13\n",
       "5: models[0].release_month: must be between 1 and 12, got '13'"},
      {"models:\n  - name: A\n    hashrate_th_s: 100\n    power_w: 3000\n    release_year: "
       "2024.5\n",
       "5: models[0].release_year: expected an integer, got '2024.5'"},
      {"models:\n  - name: A\n    hashrate_th_s: 100\n    power_w: 3000\n    power_w: 3100\n",
       "5: models[0].power_w: duplicate field"},
      {"models:\n  - name:\n    hashrate_th_s: 100\n    power_w: 3000\n",
       "2: models[0].name: expected a non-empty text, got nothing"},
      {"models:\n  - name: A\n    hashrate_th_s: [1, 2]\n    power_w: 3000\n",
       "3: models[0].hashrate_th_s: expected a number, got a list"},
      {"models:\n  - name: A\n    hashrate_th_s: 0.001\n    power_w: 3000\n",
       "2: models[0].power_w / hashrate_th_s: efficiency 3000000.000000 J/TH is outside 1-100000 "
       "J/TH"},
      {"models:\n\t- name: A\n", "2: invalid YAML: "},
  };
  for (const Case& c : cases) {
    const Status s = StatusOf(LoadAsicModelsYaml(WriteTemp("s.yaml", c.text)));
    EXPECT_EQ(s.code(), StatusCode::kDataError) << c.text;
    EXPECT_TRUE(Contains(s.message(), std::string("s.yaml:") + c.message)) << c.text;
  }
}

TEST(AsicSpecsTest, EmptyModelListIsAllowed) {
  const Result<std::vector<AsicModel>> models =
      LoadAsicModelsYaml(WriteTemp("e.yaml", "models:\n"));
  ASSERT_TRUE(models.ok()) << models.status().message();
  EXPECT_TRUE(models->empty());
}

TEST(AsicSpecsTest, YamlMissingFileIsNotFound) {
  const fs::path p = Testdata("yaml/no_such_models.yaml");
  const Status s = StatusOf(LoadAsicModelsYaml(p));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(s.message(), p.string()));
}

}  // namespace
}  // namespace mullet
