#include "scheduler/job_registry.h"

#include <algorithm>
#include <cctype>

namespace pinpipe::scheduler {

Status JobRegistry::Add(const JobSpec& spec, std::unique_ptr<Job> job) {
  bool valid = !spec.name.empty() && spec.name.size() <= 100 &&
               std::all_of(spec.name.begin(), spec.name.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
               }) && spec.name[0] != '.';
  if (!valid) return InvalidArgumentError("job name '" + spec.name + "' must be [A-Za-z0-9_.-]+");
  if (entries_.count(spec.name) != 0) return AlreadyExistsError("job '" + spec.name + "' is defined twice");
  ASSIGN_OR_RETURN(Timetable tt, Timetable::Create(spec));
  entries_.emplace(spec.name, std::make_unique<Entry>(Entry{std::move(tt), std::move(job)}));
  return Status::OK();
}

const JobRegistry::Entry* JobRegistry::Find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.get();
}

Result<const JobRegistry::Entry*> JobRegistry::Get(const std::string& name) const {
  if (const Entry* e = Find(name)) return e;
  std::string known;
  for (const auto& [n, e] : entries_) known += (known.empty() ? "" : ", ") + n;
  return NotFoundError("no job '" + name + "' (jobs: " + (known.empty() ? "none" : known) + ")");
}

std::vector<std::string> JobRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

}  // namespace pinpipe::scheduler
