import IdentityGuardCLI

await IdentityGuardCommand.runFromCommandLine()
