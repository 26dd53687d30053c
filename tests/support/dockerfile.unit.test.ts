import { copyArguments, execForm, parseDockerfile } from "./dockerfile";

it("reads stages, joins continued lines and drops comments", () => {
  const stages = parseDockerfile(
    [
      "# builder",
      "FROM node:24 AS build",
      "WORKDIR /app",
      "RUN npm install \\",
      "  --no-audit",
      "",
      "FROM node:24",
      "HEALTHCHECK --retries=3 \\",
      '  CMD ["node", "-e", "1"]',
    ].join("\n"),
  );
  expect(stages).toEqual([
    {
      image: "node:24",
      name: "build",
      instructions: [
        { keyword: "WORKDIR", args: "/app", line: 3 },
        { keyword: "RUN", args: "npm install --no-audit", line: 4 },
      ],
    },
    {
      image: "node:24",
      name: undefined,
      instructions: [{ keyword: "HEALTHCHECK", args: '--retries=3 CMD ["node", "-e", "1"]', line: 8 }],
    },
  ]);
});

it("splits a COPY into its options, sources and destination", () => {
  expect(copyArguments("--from=build --chown=node:node /app/dist ./dist")).toEqual({
    options: { from: "build", chown: "node:node" },
    sources: ["/app/dist"],
    dest: "./dist",
  });
  expect(() => copyArguments("./only-one")).toThrow(/source and a destination/);
  expect(() => execForm("node main.js")).toThrow();
});
