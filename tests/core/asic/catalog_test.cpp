#include "core/asic/catalog.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

TEST(AsicCatalogTest, BuiltInHasTheCurrentModels) {
  const AsicCatalog c = AsicCatalog::BuiltIn();
  for (const char* name :
       {"Antminer S19j Pro", "Antminer S19 XP", "Antminer S21", "Antminer S21 XP",
        "Whatsminer M30S++", "Whatsminer M50S", "Whatsminer M60S"}) {
    const Result<AsicModel> m = c.Find(name);
    ASSERT_TRUE(m.ok()) << name;
    EXPECT_TRUE(ValidateAsicModel(*m).ok()) << name;
    EXPECT_EQ(m->source, "built-in");
  }
}

TEST(AsicCatalogTest, NameplatesMatchTheSpecTable) {
  const AsicCatalog c = AsicCatalog::BuiltIn();
  EXPECT_EQ(c.Find("S21")->hashrate, TerahashPerSecond(200));
  EXPECT_EQ(c.Find("S21")->power, Watts(3500));
  EXPECT_NEAR(c.Find("S21 XP")->efficiency().value(), 13.5, 0.01);
  EXPECT_NEAR(c.Find("M30S++")->efficiency().value(), 31.0, 0.01);
}

TEST(AsicCatalogTest, LookupIgnoresCaseSpacesDashesAndLineName) {
  const AsicCatalog c = AsicCatalog::BuiltIn();
  EXPECT_EQ(c.Find("s21-xp")->name, "Antminer S21 XP");
  EXPECT_EQ(c.Find("ANTMINER S21 XP")->name, "Antminer S21 XP");
  EXPECT_EQ(c.Find("S21")->name, "Antminer S21");
  EXPECT_EQ(c.Find("m30s++")->name, "Whatsminer M30S++");
}

TEST(AsicCatalogTest, UnknownModelSuggestsTheClosest) {
  const Result<AsicModel> m = AsicCatalog::BuiltIn().Find("S21 XPP");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("unknown model 'S21 XPP'"), std::string::npos);
  EXPECT_NE(m.status().message().find("Antminer S21 XP"), std::string::npos);
}

TEST(AsicCatalogTest, AddRejectsDuplicatesUpsertReplaces) {
  AsicCatalog c = AsicCatalog::BuiltIn();
  AsicModel mine{"Bitmain", "antminer s21", TerahashPerSecond(210), Watts(3400), 0, 0, "mine.yaml"};
  EXPECT_FALSE(c.Add(mine).ok());
  EXPECT_TRUE(c.Upsert(mine));
  EXPECT_EQ(c.Find("S21")->hashrate, TerahashPerSecond(210));
  EXPECT_EQ(c.models().size(), BuiltInAsicModels().size());
  AsicModel other{"Bitmain", "Antminer S23", TerahashPerSecond(318), Watts(3500), 0, 0, "x"};
  EXPECT_TRUE(c.Add(other).ok());
  EXPECT_EQ(c.models().size(), BuiltInAsicModels().size() + 1);
}

TEST(AsicCatalogTest, ValidationNamesTheField) {
  AsicModel m{"Bitmain", "Broken", TerahashPerSecond(0), Watts(3000), 0, 0, "x"};
  EXPECT_NE(ValidateAsicModel(m).message().find("hashrate_th_s"), std::string::npos);
  m.hashrate = TerahashPerSecond(100);
  m.power = Watts(-1);
  EXPECT_NE(ValidateAsicModel(m).message().find("power_w"), std::string::npos);
  m.name = "";
  EXPECT_NE(ValidateAsicModel(m).message().find("name"), std::string::npos);
}

}  // namespace
}  // namespace mullet
