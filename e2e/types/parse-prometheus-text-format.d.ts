// The package ships no types: it parses Prometheus' text exposition format into metric families.
declare module "parse-prometheus-text-format" {
  export default function parse(text: string): unknown[];
}
