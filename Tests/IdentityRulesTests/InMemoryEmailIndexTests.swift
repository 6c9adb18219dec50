import IdentityRules
import Testing

/// The index every email check reads: one holder stored inline, several in a list, Users without an email known
/// by name — through every change a User can go through.
@Suite("InMemoryEmailIndex")
struct InMemoryEmailIndexTests {
    @Test("holders follow upserts, email changes and removals; origins are kept; emailless Users are known")
    func lifecycle() {
        var index = InMemoryEmailIndex()
        index.upsert(name: "a", email: " Shared@Example.com ")
        #expect(index.holders(ofNormalizedEmail: "shared@example.com") == [EmailHolder(name: "a")])
        let place = EmailHolder.Origin.file(path: "u.yaml", line: 3, column: 10)
        index.upsert(name: "b", email: "shared@example.com", origin: place)
        index.upsert(name: "c", email: "SHARED@example.com")
        #expect(index.holders(ofNormalizedEmail: "shared@example.com")
            == [EmailHolder(name: "a"), EmailHolder(name: "b", origin: place), EmailHolder(name: "c")])
        index.remove(name: "a")
        index.remove(name: "c")
        // The one left keeps its origin.
        #expect(index.holders(ofNormalizedEmail: "shared@example.com") == [EmailHolder(name: "b", origin: place)])
        #expect(index.holders(ofNormalizedEmail: "shared@example.com", besides: "b").isEmpty)
        #expect(index.holders(ofNormalizedEmail: "shared@example.com", besides: "z")
            == [EmailHolder(name: "b", origin: place)])
        index.upsert(name: "b", email: "new@example.com")
        #expect(index.holders(ofNormalizedEmail: "shared@example.com").isEmpty)
        // The single holder stored inline: left out when it is the one asking, listed otherwise.
        #expect(index.holders(ofNormalizedEmail: "new@example.com", besides: "b").isEmpty)
        #expect(index.holders(ofNormalizedEmail: "new@example.com", besides: "z") == [EmailHolder(name: "b")])
        #expect(index.holders(ofNormalizedEmail: "nobody@example.com", besides: "b").isEmpty)
        #expect(index.normalizedEmail(ofUser: "b") == "new@example.com")

        index.upsert(name: "nomail", email: nil)
        index.upsert(name: "blank", email: "   ")
        #expect(index.containsUser(named: "nomail") && index.containsUser(named: "blank"))
        #expect(index.normalizedEmail(ofUser: "nomail") == nil)
        #expect(index.normalizedEmail(ofUser: "blank") == nil)
        #expect(index.userCount == 3)
        index.remove(name: "nomail")
        #expect(!index.containsUser(named: "nomail"))
        #expect(index.userCount == 2)
        index.remove(name: "ghost")
        #expect(index.userCount == 2)
    }
}
