// JobRegistry: the jobs a scheduler knows, each a JobSpec (validated into a Timetable) and the
// Job that does the work. Filled by the composition root (cli/jobs.cc) from the configuration.
//
// Thread-safety: built on one thread, then read-only (share it by const pointer).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "scheduler/job.h"
#include "scheduler/timetable.h"

namespace pinpipe::scheduler {

class JobRegistry {
 public:
  struct Entry {
    Timetable timetable;
    std::unique_ptr<Job> job;
    const JobSpec& spec() const { return timetable.spec(); }
  };

  // InvalidArgument/NotFound for a bad spec (see Timetable::Create), AlreadyExists for a
  // second job of the same name, InvalidArgument for a name that is not [A-Za-z0-9_.-]+.
  Status Add(const JobSpec& spec, std::unique_ptr<Job> job);
  // nullptr if there is no such job.
  const Entry* Find(const std::string& name) const;
  // NotFound naming the known jobs.
  Result<const Entry*> Get(const std::string& name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace pinpipe::scheduler
