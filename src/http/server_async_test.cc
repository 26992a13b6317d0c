// Deferred responses (Router::AddAsync): a handler returns at once and answers later from
// another thread, as the produce route does once its records are fsynced. Order on a
// connection, answers from the handler itself, lost responders, shutdown while an answer is
// pending, and connections that close (or a server that stops) before the answer comes.
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "http/server.h"
#include "http/test_client.h"

namespace pinpipe::http {
namespace {

using namespace std::chrono_literals;
using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeRequest;
using testing::RawClient;
using testing::StartServer;

// Requests to POST /defer/{id} wait here until the test answers them.
class Pending {
 public:
  AsyncHandler Handler() {
    return [this](const Request& req, Responder respond) {
      std::lock_guard<std::mutex> l(mu_);
      waiting_.push_back(
          {std::string(req.param("id")) + ":" + std::string(req.body()), std::move(respond)});
      cv_.notify_all();
    };
  }
  // Blocks until `n` requests wait; returns their ids in arrival order.
  std::vector<std::string> WaitFor(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return waiting_.size() >= n; });
    std::vector<std::string> ids;
    for (const auto& w : waiting_) ids.push_back(w.id);
    return ids;
  }
  // Takes the responder of `id` out of the waiting list.
  Responder Take(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if (it->id == id) {
        Responder r = std::move(it->respond);
        waiting_.erase(it);
        return r;
      }
    }
    ADD_FAILURE() << "no pending request " << id;
    return Responder(nullptr);
  }
  // Answers `id` from a thread of its own, as a log's commit thread would.
  void AnswerFromAnotherThread(const std::string& id) {
    Responder r = Take(id);
    std::thread([r, id] { r(Response{200, "text/plain", {}, "done " + id}); }).join();
  }

 private:
  struct Waiting {
    std::string id;
    Responder respond;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Waiting> waiting_;
};

Router DeferRouter(Pending* pending) {
  Router r;
  EXPECT_THAT(r.AddAsync("POST", "/defer/{id}", pending->Handler()), IsOk());
  EXPECT_THAT(r.AddAsync("GET", "/now",
                         [](const Request&, Responder respond) {
                           respond(Response{200, "text/plain", {}, "answered inside the handler"});
                         }),
              IsOk());
  EXPECT_THAT(r.AddAsync("GET", "/lost", [](const Request&, Responder) {}), IsOk());
  EXPECT_THAT(r.Add("GET", "/sync",
                    [](const Request&) {
                      return Response{200, "text/plain", {}, "sync"};
                    }),
              IsOk());
  return r;
}

TEST(ServerAsyncTest, PipelinedDeferredRequestsAreAnsweredInOrderAndOneAtATime) {
  Pending pending;
  auto server = StartServer({}, DeferRouter(&pending));
  ASSERT_NE(server, nullptr);
  RawClient a, b;
  ASSERT_TRUE(a.Connect(server->port()));
  ASSERT_TRUE(b.Connect(server->port()));
  ASSERT_TRUE(a.Send(MakeRequest("POST", "/defer/a1", "x") + MakeRequest("GET", "/sync") +
                     MakeRequest("POST", "/defer/a2", "y") + MakeRequest("GET", "/now")));
  ASSERT_TRUE(b.Send(MakeRequest("POST", "/defer/b1", "z")));
  // Both connections' first requests wait; a's later ones are not even read yet.
  std::vector<std::string> ids = pending.WaitFor(2);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("a1:x", "b1:z"));
  // Answering b first does not disturb a.
  pending.AnswerFromAnotherThread("b1:z");
  EXPECT_EQ(b.Read().body, "done b1:z");
  pending.AnswerFromAnotherThread("a1:x");
  EXPECT_EQ(a.Read().body, "done a1:x");
  EXPECT_EQ(a.Read().body, "sync");
  EXPECT_THAT(pending.WaitFor(1), ElementsAre("a2:y"));
  pending.AnswerFromAnotherThread("a2:y");
  EXPECT_EQ(a.Read().body, "done a2:y");
  auto last = a.Read();
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.body, "answered inside the handler");
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().requests_by_class[2] == 5; }));
}

TEST(ServerAsyncTest, ABurstOfAnswersFromOneThreadReachesEveryConnectionOnEveryIoThread) {
  // As a group commit answers: one thread answers many waiting requests back to back, across
  // connections served by different io threads. Each must get its own answer, once.
  Pending pending;
  ServerOptions o;
  o.io_threads = 3;
  auto server = StartServer(o, DeferRouter(&pending));
  ASSERT_NE(server, nullptr);
  constexpr int kClients = 24;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>());
    ASSERT_TRUE(clients.back()->Connect(server->port()));
    ASSERT_TRUE(clients.back()->Send(MakeRequest("POST", "/defer/c" + std::to_string(i), "r1")));
  }
  for (int round = 1; round <= 3; ++round) {
    std::vector<std::string> ids = pending.WaitFor(kClients);
    std::vector<Responder> responders;
    for (const std::string& id : ids) responders.push_back(pending.Take(id));
    std::thread([&] {
      for (size_t i = 0; i < ids.size(); ++i) {
        responders[i](Response{200, "text/plain", {}, "done " + ids[i]});
      }
    }).join();
    for (int i = 0; i < kClients; ++i) {
      const std::string id = "c" + std::to_string(i) + ":r" + std::to_string(round);
      EXPECT_EQ(clients[i]->Read().body, "done " + id);
      if (round < 3) {
        ASSERT_TRUE(clients[i]->Send(
            MakeRequest("POST", "/defer/c" + std::to_string(i), "r" + std::to_string(round + 1))));
      }
    }
  }
  EXPECT_TRUE(
      testing::Eventually([&] { return server->metrics().requests_by_class[2] == 3 * kClients; }));
}

TEST(ServerAsyncTest, DeferredHandlersRunOnTheIoThreadEvenWithAHandlerPool) {
  std::thread::id handler_thread;
  Router r;
  ASSERT_THAT(r.AddAsync("GET", "/where",
                         [&](const Request&, Responder respond) {
                           handler_thread = std::this_thread::get_id();
                           respond(Response{200, "", {}, "ok"});
                         }),
              IsOk());
  std::thread::id pool_thread;
  ASSERT_THAT(r.Add("GET", "/pool",
                    [&](const Request&) {
                      pool_thread = std::this_thread::get_id();
                      return Response{200, "", {}, "ok"};
                    }),
              IsOk());
  ServerOptions o;
  o.handler_threads = 2;
  auto server = StartServer(o, std::move(r));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/where") + MakeRequest("GET", "/pool")));
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_NE(handler_thread, std::thread::id());
  EXPECT_NE(handler_thread, pool_thread);
}

TEST(ServerAsyncTest, AResponderDroppedWithoutAnAnswerGives500) {
  Pending pending;
  auto server = StartServer({}, DeferRouter(&pending));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/lost") + MakeRequest("GET", "/sync")));
  auto r = c.Read();
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("dropped"));
  EXPECT_EQ(c.Read().body, "sync");  // the connection goes on
}

TEST(ServerAsyncTest, OnlyTheFirstAnswerCounts) {
  Pending pending;
  auto server = StartServer({}, DeferRouter(&pending));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/defer/1", "") + MakeRequest("GET", "/sync")));
  pending.WaitFor(1);
  Responder r = pending.Take("1:");
  Responder copy = r;
  r(Response{201, "", {}, "first"});
  copy(Response{202, "", {}, "second"});
  auto first = c.Read();
  EXPECT_EQ(first.status, 201);
  EXPECT_EQ(c.Read().body, "sync");
}

TEST(ServerAsyncTest, StopWaitsForAPendingAnswerThenCloses) {
  Pending pending;
  std::mutex mu;
  std::vector<std::string> events;
  ServerHooks hooks;
  hooks.on_drain = [&] {
    std::lock_guard<std::mutex> l(mu);
    events.push_back("drain");
  };
  auto server = StartServer({}, DeferRouter(&pending), hooks);
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/defer/1", "v")));
  pending.WaitFor(1);
  auto stop = std::async(std::launch::async, [&] { return server->Stop(30s); });
  // Stop cannot finish while the answer is pending (it would have closed the connection).
  EXPECT_EQ(stop.wait_for(200ms), std::future_status::timeout);
  {
    std::lock_guard<std::mutex> l(mu);
    events.push_back("answer");
  }
  pending.AnswerFromAnotherThread("1:v");
  auto r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done 1:v");
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_THAT(stop.get(), IsOk());
  EXPECT_TRUE(c.WaitClosed(10s));
  EXPECT_THAT(events, ElementsAre("answer", "drain"));
}

TEST(ServerAsyncTest, AnswerAfterTheClientLeftIsDroppedSafely) {
  Pending pending;
  auto server = StartServer({}, DeferRouter(&pending));
  ASSERT_NE(server, nullptr);
  {
    RawClient c;
    ASSERT_TRUE(c.Connect(server->port()));
    ASSERT_TRUE(c.Send(MakeRequest("POST", "/defer/gone", "")));
    pending.WaitFor(1);
  }  // the client closes while its answer is pending
  pending.AnswerFromAnotherThread("gone:");
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().connections_active == 0; }));
  RawClient next;  // the server is fine
  ASSERT_TRUE(next.Connect(server->port()));
  ASSERT_TRUE(next.Send(MakeRequest("GET", "/sync")));
  EXPECT_EQ(next.Read().body, "sync");
}

TEST(ServerAsyncTest, AnswersAfterAForcedStopAndAfterTheServerIsGoneAreDropped) {
  Pending pending;
  auto server = StartServer({}, DeferRouter(&pending));
  ASSERT_NE(server, nullptr);
  RawClient c1, c2;
  ASSERT_TRUE(c1.Connect(server->port()));
  ASSERT_TRUE(c2.Connect(server->port()));
  ASSERT_TRUE(c1.Send(MakeRequest("POST", "/defer/1", "")));
  ASSERT_TRUE(c2.Send(MakeRequest("POST", "/defer/2", "")));
  pending.WaitFor(2);
  EXPECT_THAT(server->Stop(100ms), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("busy")));
  EXPECT_TRUE(c1.WaitClosed(10s));
  EXPECT_TRUE(c2.WaitClosed(10s));
  pending.AnswerFromAnotherThread("1:");  // server stopped, object alive
  server.reset();
  pending.AnswerFromAnotherThread("2:");  // server destroyed
}

}  // namespace
}  // namespace pinpipe::http
