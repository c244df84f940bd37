// The helper process the tests start: one scenario per first argument. See tests/Memshare.Tests/Infrastructure/Child.cs.
return Memshare.TestChild.Scenarios.Run(args);
