import { redirectConnections } from "./redirect-connections";

/**
 * Preloaded into a service process (NODE_OPTIONS="--import tsx --import <this file>"): its connections
 * to TEST_REDIRECT_FROM (host:port) go to TEST_REDIRECT_TO instead. Kafka clients connect to the
 * broker's advertised address, whatever the bootstrap address was, so a proxy in front of one broker
 * needs this to see every connection of the process, and only of that process.
 */
redirectConnections(process.env.TEST_REDIRECT_FROM ?? "", process.env.TEST_REDIRECT_TO ?? "");
