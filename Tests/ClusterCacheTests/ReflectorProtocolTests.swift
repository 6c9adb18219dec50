import IdentityRules
import IdentityGuardTesting
import ClusterCache
import Foundation
import Testing

/// The Users cache against a fake API server speaking the real list/watch protocol over HTTPS.
@Suite("Cluster cache over the list/watch protocol", .timeLimit(.minutes(1)))
struct ReflectorProtocolTests {
    /// Starts a fake API server, runs `body` with it, and stops it whatever happens.
    private func withAPIServer(_ body: (FakeAPIServer) async throws -> Void) async throws {
        let api = try await FakeAPIServer.start()
        do {
            try await body(api)
        } catch {
            await api.stop()
            throw error
        }
        await api.stop()
    }

    /// Starts a cache on `api`, runs `body`, and stops the cache whatever happens.
    private func withCache(_ api: FakeAPIServer, timing: WatcherTiming = RunningCache.timing(),
                           _ body: (RunningCache) async throws -> Void) async throws
    {
        let cache = try RunningCache(api: api, timing: timing)
        do {
            try await body(cache)
        } catch {
            await cache.stop { api.endWatches() }
            throw error
        }
        await cache.stop { api.endWatches() }
    }

    @Test("the initial list is paged: 1,203 Users in pages of 100 are 13 list requests, with the bearer token")
    func pagedInitialList() async throws {
        try await withAPIServer { api in
            api.seed(1_203)
            let listVersion = api.resourceVersion
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(cache.syncs.map(\.users) == [1_203])
                #expect(cache.syncs.first?.first == true)
                #expect(cache.index.userCount == 1_203)
                for number in [0, 1, 99, 100, 101, 600, 1_199, 1_202] {
                    let name = String(format: "user-%05d", number)
                    #expect(cache.index.userNames(forNormalizedEmail: "\(name)@example.com") == [name])
                }
                #expect(cache.index.userNames(forNormalizedEmail: "user-01203@example.com").isEmpty)
                #expect(await eventually { api.requests.watches >= 1 })
                let requests = api.requests
                #expect(requests.lists == 13)
                #expect(requests.continued == 12)
                #expect(requests.listLimits.allSatisfy { $0 == 100 })
                #expect(requests.watchResourceVersions.first == "\(listVersion)")
                #expect(requests.authorizations == ["Bearer test-token"])
            }
        }
    }

    @Test("ADDED, MODIFIED (the old email is freed, the new one held) and DELETED events are applied")
    func watchEvents() async throws {
        try await withAPIServer { api in
            api.seed(3)
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(await eventually { api.openWatches == 1 })
                let index = cache.index

                api.add("dave", email: "Dave@Example.com")
                #expect(await eventually { index.userNames(forNormalizedEmail: "dave@example.com") == ["dave"] })
                #expect(index.userCount == 4)

                api.modify("user-00001", email: "renamed@example.com")
                #expect(await eventually { index.userNames(forNormalizedEmail: "renamed@example.com") == ["user-00001"] })
                #expect(index.userNames(forNormalizedEmail: "user-00001@example.com").isEmpty)

                api.delete("user-00002")
                #expect(await eventually { !index.containsUser(named: "user-00002") })
                #expect(index.userNames(forNormalizedEmail: "user-00002@example.com").isEmpty)
                #expect(index.userCount == 3)

                // A User without an email is known by name only.
                api.add("no-email", email: nil)
                #expect(await eventually { index.containsUser(named: "no-email") })
                #expect(api.requests.lists == 1)
                #expect(cache.relists == 0)
            }
        }
    }

    @Test("a BOOKMARK advances the resourceVersion: the next watch asks for the bookmark's")
    func bookmarkAdvancesResourceVersion() async throws {
        try await withAPIServer { api in
            api.seed(5)
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(await eventually { api.openWatches == 1 })
                api.add("erin", email: "erin@example.com")
                #expect(await eventually { cache.index.containsUser(named: "erin") })
                // The last-event time moves on the bookmark alone (the last-sync time only on a list).
                let beforeBookmark = try #require(cache.lastEvent)
                try await Task.sleep(for: .milliseconds(20))
                let bookmark = api.bookmark()
                #expect(await eventually { (cache.lastEvent ?? 0) > beforeBookmark })
                // The bookmark is read before the end of the stream that follows it on the same connection.
                api.endWatches()
                #expect(await eventually { api.requests.watches >= 2 })
                #expect(api.requests.watchResourceVersions[1] == "\(bookmark)")
                #expect(api.requests.lists == 1)
                #expect(await eventually { cache.watchRestarts >= 1 })
                #expect(cache.relists == 0)
            }
        }
    }

    @Test("an expired continue token (410 while paging) restarts the list, which ends complete")
    func expiredContinueToken() async throws {
        try await withAPIServer { api in
            api.seed(350)
            api.configure { $0.expireNextContinue = true }
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(cache.index.userCount == 350)
                #expect(cache.syncs.map(\.users) == [350])
                // Page 1, its continuation refused with 410, then pages 1–4 again.
                #expect(api.requests.lists == 6)
                #expect(api.requests.continued == 4)
                #expect(cache.index.userNames(forNormalizedEmail: "user-00349@example.com") == ["user-00349"])
                #expect(cache.relists == 0)
                #expect(await eventually { api.openWatches == 1 })
            }
        }
    }

    @Test("an ERROR event with a 410 Status relists, and the relist brings what the watch missed")
    func errorEventGoneRelists() async throws {
        try await withAPIServer { api in
            api.seed(10)
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(await eventually { api.openWatches == 1 })
                // An event the open watch does not deliver, then the history is compacted past it.
                api.add("missed", email: "missed@example.com", broadcast: false)
                let compacted = api.compact()
                api.endWatches()
                #expect(await cache.synced(times: 2))
                #expect(cache.relists == 1)
                #expect(cache.syncs.map(\.first) == [true, false])
                #expect(cache.index.userNames(forNormalizedEmail: "missed@example.com") == ["missed"])
                #expect(cache.index.userCount == 11)
                #expect(api.requests.lists == 2)
                #expect(await eventually { api.requests.watches >= 3 })
                // Watch from the list, watch from the old version (ERROR 410), watch from the relist.
                #expect(api.requests.watchResourceVersions[2] == "\(compacted)")
                #expect(await eventually { api.openWatches == 1 })
                api.add("after", email: "after@example.com")
                #expect(await eventually { cache.index.containsUser(named: "after") })
            }
        }
    }

    @Test("a watch answered with HTTP 410 relists")
    func watchHTTPGoneRelists() async throws {
        try await withAPIServer { api in
            api.seed(10)
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(await eventually { api.openWatches == 1 })
                api.configure { $0.goneOnNextWatch = true }
                api.endWatches()
                #expect(await cache.synced(times: 2))
                #expect(cache.relists == 1)
                #expect(api.requests.lists == 2)
                #expect(cache.index.userCount == 10)
                #expect(await eventually { api.openWatches == 1 })
                api.delete("user-00000")
                #expect(await eventually { !cache.index.containsUser(named: "user-00000") })
            }
        }
    }

    @Test("a watch that ends is reopened from the last resourceVersion; no event is lost", arguments: [false, true])
    func watchReopened(abruptly: Bool) async throws {
        try await withAPIServer { api in
            api.seed(10)
            try await withCache(api) { cache in
                #expect(await cache.synced())
                #expect(await eventually { api.openWatches == 1 })
                let seen = api.add("first", email: "first@example.com")
                #expect(await eventually { cache.index.containsUser(named: "first") })
                if abruptly { api.dropWatches() } else { api.endWatches() }
                // Made while no watch is open: the next watch must replay them.
                api.add("second", email: "second@example.com")
                api.modify("first", email: "first-renamed@example.com")
                api.delete("user-00003")
                #expect(await eventually {
                    cache.index.containsUser(named: "second") && !cache.index.containsUser(named: "user-00003")
                        && cache.index.userNames(forNormalizedEmail: "first-renamed@example.com") == ["first"]
                })
                #expect(cache.index.userNames(forNormalizedEmail: "first@example.com").isEmpty)
                #expect(cache.index.userCount == 11)
                #expect(api.requests.watches >= 2)
                #expect(api.requests.watchResourceVersions[1] == "\(seen)", "the second watch starts where the first ended")
                #expect(api.requests.lists == 1, "a watch that ends is reopened, not relisted")
                #expect(cache.relists == 0)
            }
        }
    }

    @Test("404 (CRD not installed): the reflector keeps retrying and never syncs, until the CRD appears")
    func notFoundUntilTheCRDAppears() async throws {
        try await withAPIServer { api in
            api.seed(42)
            api.configure { $0.notFound = true }
            try await withCache(api) { cache in
                // Backoff 20 ms doubling up to 200 ms: retried again and again, never synced.
                #expect(await eventually { api.requests.total >= 5 })
                #expect(cache.syncs.isEmpty)
                #expect(api.requests.lists == 0)
                #expect(cache.index.userCount == 0)
                api.configure { $0.notFound = false }
                #expect(await cache.synced())
                #expect(cache.syncs.map(\.users) == [42])
                #expect(cache.syncs.first?.first == true)
                #expect(await eventually { api.openWatches == 1 })
            }
        }
    }

    @Test("a slow API server still yields a complete list")
    func slowResponses() async throws {
        try await withAPIServer { api in
            api.seed(250)
            api.configure { $0.delay = .milliseconds(150) }
            try await withCache(api) { cache in
                #expect(await cache.synced(within: .seconds(10)))
                #expect(cache.index.userCount == 250)
                #expect(api.requests.lists == 3)
                #expect(await eventually { api.openWatches == 1 })
                api.add("late", email: "late@example.com")
                #expect(await eventually { cache.index.containsUser(named: "late") })
            }
        }
    }

    @Test("a wrong token is refused (401) and retried, never synced")
    func unauthorized() async throws {
        try await withAPIServer { api in
            api.seed(3)
            let cache = try RunningCache(credentials: try api.credentials(token: "wrong-token"))
            #expect(await eventually { api.requests.total >= 3 })
            #expect(api.requests.authorizations == ["Bearer wrong-token"])
            #expect(cache.syncs.isEmpty)
            await cache.stop { api.endWatches() }
        }
    }
}
