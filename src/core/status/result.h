// Status and Result<T>: expected failures as values (style.md, "Errors").
//
// A Status is ok, or carries a code and a message a person can act on
// ("btc_fees_daily.csv:17: fees_btc: expected a number, got 'abc'").
// Result<T> holds a T or a non-ok Status. Neither throws.

#ifndef MULLET_CORE_STATUS_RESULT_H_
#define MULLET_CORE_STATUS_RESULT_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mullet {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the caller's input is wrong (a flag, a config field)
  kNotFound,         // a file, a model, a date that is not there
  kOutOfRange,       // a value or date outside what the data covers
  kDataError,        // a file's contents break its documented schema
  kIoError,          // the operating system refused (open, read)
  kConflict,         // the request clashes with what is stored (an event cancelled twice)
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status DataError(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result is built from a failed Status only");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok().
  const Status& status() const { return std::get<Status>(v_); }
  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mullet

#endif  // MULLET_CORE_STATUS_RESULT_H_
