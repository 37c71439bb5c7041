// .ts and CSV readers: every malformed-input case gives its error with file and line.
#include <catch2/catch.hpp>
#include <cmath>

#include "data/csv_reader.h"
#include "data/data_error.h"
#include "data/store.h"
#include "data/ts_reader.h"
#include "data_helpers.h"

using namespace eaf;
using namespace eaf::test;

namespace {
const char* kHeader =
    "# comment\r\n@problemName Toy\r\n@timeStamps false\r\n@missing true\r\n@univariate false\r\n"
    "@dimensions 2\r\n@equalLength false\r\n@classLabel true a b\r\n@data\r\n";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE(".ts: header, unequal lengths, missing values, string labels, CRLF", "[data][ts]") {
  const std::string text = std::string(kHeader) +
                           "1,2,3:4,?,6:a\r\n"
                           "0.5,NaN:7,8,9,10:b\r\n";
  TsFile f = parse_ts(text, "toy.ts");
  CHECK(f.problem_name == "Toy");
  CHECK(f.dimensions == 2);
  CHECK_FALSE(f.equal_length);
  CHECK(f.class_labels == std::vector<std::string>{"a", "b"});
  REQUIRE(f.samples.size() == 2);
  CHECK(f.samples[0].dims[0] == std::vector<float>{1, 2, 3});
  CHECK(std::isnan(f.samples[0].dims[1][1]));
  CHECK(f.samples[1].dims[0].size() == 2);
  CHECK(f.samples[1].dims[1].size() == 4);
  CHECK(f.samples[1].label == "b");
  CHECK(f.samples[1].line == 11);
}

TEST_CASE(".ts: malformed inputs name the file, the line and what was expected", "[data][ts]") {
  CHECK_THAT(error_of([] { parse_ts("", "empty.ts"); }),
             Catch::Contains("empty.ts") && Catch::Contains("empty file"));
  CHECK_THAT(
      error_of([] { parse_ts("@problemName X\n@dimensions 2\n@classLabel true a\n", "cut.ts"); }),
      Catch::Contains("cut.ts") && Catch::Contains("no @data"));
  // Truncated in the middle of the last sample: its label is lost.
  CHECK_THAT(error_of([] { parse_ts(std::string(kHeader) + "1,2:3,4:a\n5,6:7,", "trunc.ts"); }),
             Catch::Contains("trunc.ts:11") && Catch::Contains("class label"));
  CHECK_THAT(error_of([] { parse_ts(std::string(kHeader) + "1,2:3,4:5,6:a\n", "dims.ts"); }),
             Catch::Contains("dims.ts:10") &&
                 Catch::Contains("expected 2 dimensions and a class label, found 4"));
  CHECK_THAT(error_of([] { parse_ts(std::string(kHeader) + "1,x2:3,4:a\n", "nan.ts"); }),
             Catch::Contains("nan.ts:10") && Catch::Contains("dimension 1") &&
                 Catch::Contains("'x2' is not a number"));
  CHECK_THAT(error_of([] { parse_ts(std::string(kHeader) + "1,2:3,4:c\n", "label.ts"); }),
             Catch::Contains("label.ts:10") && Catch::Contains("'c' is not declared"));
  CHECK_THAT(error_of([] { parse_ts(std::string(kHeader), "nodata.ts"); }),
             Catch::Contains("holds no samples"));
  const std::string equal =
      "@dimensions 2\n@equalLength true\n@seriesLength 3\n@classLabel true a\n@data\n1,2,3:4,5:a\n";
  CHECK_THAT(error_of([&] { parse_ts(equal, "len.ts"); }),
             Catch::Contains("len.ts:6") && Catch::Contains("inconsistent series lengths") &&
                 Catch::Contains("dimension 2 has 2 values, expected 3"));
  CHECK_THAT(error_of([] { read_ts("/nonexistent/x.ts"); }), Catch::Contains("cannot open"));
}

TEST_CASE(".ts: a TEST label that TRAIN lacks is an error naming the TEST line", "[data][ts]") {
  TempDir dir;
  const std::string head = "@dimensions 1\n@classLabel true a b\n@data\n";
  const std::string train = dir.write("T_TRAIN.ts", head + "1,2:a\n3,4:a\n");
  const std::string test = dir.write("T_TEST.ts", head + "1,2:a\n3,4:b\n");
  CHECK_THAT(
      error_of([&] { parse_uea(train, test); }),
      Catch::Contains("T_TEST.ts:5") && Catch::Contains("'b' does not occur in the TRAIN split"));
}

TEST_CASE("CSV: both date forms, values, malformed rows", "[data][csv]") {
  CsvTable t =
      parse_forecast_csv("date,a,OT\n2016-07-01 00:00:00,1.5,2\n2016/7/1 2:00,-3,4e-1\n", "x.csv");
  CHECK(t.columns == std::vector<std::string>{"a", "OT"});
  REQUIRE(t.rows() == 2);
  CHECK(t.timestamps[1] - t.timestamps[0] == 2 * 3600);
  CHECK(t.values == std::vector<double>{1.5, 2, -3, 0.4});
  CHECK(t.column_index("OT") == 1);
  const CivilTime c = civil_from_timestamp(t.timestamps[0]);
  CHECK(c.year == 2016);
  CHECK(c.month == 7);
  CHECK(c.day == 1);
  CHECK(c.day_of_week == 4);  // a Friday
  CHECK(c.day_of_year == 183);

  CHECK_THAT(error_of([] { parse_forecast_csv("", "e.csv"); }),
             Catch::Contains("e.csv") && Catch::Contains("empty"));
  CHECK_THAT(error_of([] { parse_forecast_csv("time,a\n2016-07-01,1\n", "h.csv"); }),
             Catch::Contains("h.csv:1") && Catch::Contains("'date'"));
  CHECK_THAT(
      error_of([] { parse_forecast_csv("date,a\n2016-07-01,1\n2016-07-01 01:00,zz\n", "n.csv"); }),
      Catch::Contains("n.csv:3") && Catch::Contains("column 'a': 'zz' is not a number"));
  CHECK_THAT(error_of([] {
               parse_forecast_csv("date,a,b\n2016-07-01,1,2\n2016-07-01 01:00,1\n", "t.csv");
             }),
             Catch::Contains("t.csv:3") && Catch::Contains("expected 3 fields, found 2"));
  CHECK_THAT(error_of([] { parse_forecast_csv("date,a\n2016-13-01,1\n", "d.csv"); }),
             Catch::Contains("d.csv:2") && Catch::Contains("not a date"));
  CHECK_THAT(error_of([] { parse_forecast_csv("date,a\n", "r.csv"); }),
             Catch::Contains("no data rows"));
}
