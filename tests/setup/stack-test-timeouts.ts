// Tests that talk to the real stack wait on brokers, restarts and Jaeger's ingestion: minutes, not seconds.
jest.setTimeout(240_000);
