// One table in the layout of DynamoDB's export to S3 (output format DYNAMODB_JSON), in a
// folder, so that data moves between K9 and AWS's own table export and import unchanged:
//
//   DIR/AWSDynamoDB/<export id>/_started
//   DIR/AWSDynamoDB/<export id>/data/<name>.json.gz       {"Item":{...}} one item a line, gzip
//   DIR/AWSDynamoDB/<export id>/manifest-files.json       one line a data file: itemCount,
//                                                         md5Checksum (base64 MD5 of the .gz),
//                                                         etag, dataFileS3Key
//   DIR/AWSDynamoDB/<export id>/manifest-summary.json     version 2020-06-30, itemCount,
//                                                         manifestFilesS3Key, outputFormat...
//   DIR/AWSDynamoDB/<export id>/manifest-{summary,files}.md5   base64 MD5 of each manifest
//
// Keys in the manifests are relative to DIR (an S3 export's are relative to its bucket
// prefix: the same thing). The writer keeps one data file open and writes the manifests last:
// a folder without manifest-summary.json is an export that did not finish. The reader reads
// each file once, checking it as it goes; its errors (k9::Error, bad_request) name the file
// and line. Items of the files before a bad one have been handed out by then: read into
// something that can be thrown away (k9 import stages into a file of its own).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/item.h"

namespace k9::table_export {

struct ExportSummary {
  std::filesystem::path folder;  // DIR/AWSDynamoDB/<export id>
  std::string table;             // from the summary's tableArn
  uint64_t items = 0;
  std::vector<std::filesystem::path> data_files;
};

class TableExportWriter {
 public:
  // Starts an export of `table` below `dir` (created when missing; an export id of its own,
  // so two exports to one folder never collide).
  TableExportWriter(const std::filesystem::path& dir, std::string table, uint64_t items_per_file = 100'000,
                    const Clock& clock = Clock::system());
  ~TableExportWriter();  // an unfinished export stays unfinished (no manifests)
  TableExportWriter(const TableExportWriter&) = delete;
  TableExportWriter& operator=(const TableExportWriter&) = delete;

  void add(const store::Item& item);
  // Closes the last data file and writes the manifests.
  ExportSummary finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Finds the export below `dir` (`dir` itself when it holds manifest-summary.json, else the one
// export in dir/AWSDynamoDB/), reads every data file and checks it against the manifests:
// MD5, item count, one {"Item": {...}} of valid DynamoDB JSON a line, the summary's total.
ExportSummary verify_table_export(const std::filesystem::path& dir);

// As verify_table_export, handing every item to `sink` as it is read, file by file in
// manifest order (each file's MD5 is checked before its first item).
ExportSummary read_table_export(const std::filesystem::path& dir, const std::function<void(store::Item)>& sink);

}  // namespace k9::table_export
